#!/bin/sh
# summary.sh DIR - add up every test log under DIR and print "N passed, N failed".
# Check suites report "Checks: N, Failures: F, Errors: E"; shell tests print
# "ok NAME" / "not ok NAME" lines. A log with neither counts as one test,
# judged by its .trs result.
dir=${1:-tests}
passed=0
failed=0
for log in "$dir"/*.log; do
	[ -f "$log" ] || continue
	case $log in */test-suite.log) continue ;; esac
	trs=${log%.log}.trs
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e))
		failed=$((failed + f + e))
		continue
	fi
	ok=$(grep -cE '^ok ' "$log")
	bad=$(grep -cE '^not ok ' "$log")
	if [ $((ok + bad)) -gt 0 ]; then
		passed=$((passed + ok))
		failed=$((failed + bad))
		# a script that died after its last check still failed
		if [ "$bad" -eq 0 ] && [ -f "$trs" ] && grep -q ':test-result: FAIL' "$trs"; then
			failed=$((failed + 1))
		fi
	elif [ -f "$trs" ] && grep -qE ':test-result: (PASS|SKIP)' "$trs"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
