# bash completion for cpolc(1)                             -*- shell-script -*-
#
# Installed as $(datadir)/bash-completion/completions/cpolc; bash-completion
# loads it on first use. Works without bash-completion's helpers too.
#
# The commands, subcommands, options and option values come from cpolc
# itself ('cpolc [COMMAND [SUB]] --completion-helper' prints them from the
# option tables the commands parse with), so they cannot drift from what
# cpolc accepts. Only the kinds of files each operand takes are written here.

# _cpolc_files EXT...: directories and files ending in one of .EXT matching $cur.
_cpolc_files()
{
	local f ext
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f")
			continue
		fi
		for ext in "$@"; do
			if [[ $f == *."$ext" ]]; then
				COMPREPLY+=("$f")
				break
			fi
		done
	done < <(compgen -f -- "$cur")
}

_cpolc_dirs()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -d -- "$cur"))
}

_cpolc_any_file()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -f -- "$cur"))
}

_cpolc_words()
{
	COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}

# _cpolc_helper WORD...: what 'cpolc WORD... --completion-helper' prints.
_cpolc_helper()
{
	"$_cpolc_bin" "$@" --completion-helper 2>/dev/null
}

# _cpolc_value: complete the value of option $prev from the option table
# (a line "--opt=" takes a value; "--opt= W1 W2" takes one of the words).
# Returns 1 when $prev takes no value or is not an option.
_cpolc_value()
{
	local opt words
	while read -r opt words; do
		[[ $opt == "$prev=" ]] || continue
		if [[ -n $words ]]; then
			_cpolc_words "$words"
			return 0
		fi
		case $prev in
		-r | --request) _cpolc_files json; [[ -z $cur || $cur == - ]] && COMPREPLY+=(-) ;;
		--meta) _cpolc_files json ;;
		--lock) _cpolc_files lock json ;;
		-C | --catalog | --cache | --stdlib) _cpolc_dirs ;;
		-o | --output)
			if [[ $cmd == compile ]]; then _cpolc_files cpolb; else _cpolc_any_file; fi ;;
		-M | -MT) _cpolc_any_file ;;
		esac
		return 0 # otherwise free text
	done <<<"$opts"
	return 1
}

# _cpolc_positional N: complete the N-th operand (0-based).
_cpolc_positional()
{
	local n=$1
	case $cmd in
	build | eval | graph | explain) [[ $n -eq 0 ]] && _cpolc_files cpol cpolb ;;
	lint | fmt) _cpolc_files cpol ;;
	compile) [[ $n -eq 0 ]] && _cpolc_files cpol ;;
	disasm) [[ $n -eq 0 ]] && _cpolc_files cpolb cpol ;;
	verify) [[ $n -eq 0 ]] && _cpolc_dirs ;;
	diff) [[ $n -lt 2 ]] && _cpolc_files lock ;;
	catalog)
		case $sub in
		resolve) ;;
		*)
			if [[ $n -eq 0 ]]; then
				_cpolc_dirs
				return
			fi ;;
		esac
		case $sub in
		import-deb) _cpolc_files deb ;;
		add) _cpolc_any_file ;;
		set-scan) [[ $n -eq 3 ]] && _cpolc_files json ;;
		esac ;;
	esac
}

_cpolc()
{
	local cur prev words cword
	if declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n =: cur prev words cword
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	COMPREPLY=()
	local _cpolc_bin=${words[0]}
	[[ $_cpolc_bin == */* || $(type -t "$_cpolc_bin") == file ]] || _cpolc_bin=cpolc

	if [[ $cword -eq 1 ]]; then
		if [[ $cur == -* ]]; then
			_cpolc_words '--help --version'
		else
			_cpolc_words "$(_cpolc_helper)"
		fi
		return 0
	fi

	# the command, and the subcommand of a command that has them
	local cmd=${words[1]} sub= first=2 subs
	local -a path=("$cmd")
	subs=$(_cpolc_helper "$cmd")
	if [[ -n $subs && $subs != -* ]]; then
		if [[ $cword -eq 2 ]]; then
			_cpolc_words "$subs"
			return 0
		fi
		sub=${words[2]}
		path+=("$sub")
		first=3
	fi

	local opts
	opts=$(_cpolc_helper "${path[@]}")
	_cpolc_value && return 0

	if [[ $cur == -* ]]; then
		_cpolc_words "$(cut -d' ' -f1 <<<"$opts" | tr -d =)"
		return 0
	fi

	# count the operands before the cursor, skipping options and their values
	local i n=0 w
	for ((i = first; i < cword; i++)); do
		w=${words[i]}
		if [[ $w == -* ]]; then
			# an option given its value in the next word skips it
			[[ $w != *=* ]] && grep -qxF -- "$w=" <<<"$(cut -d' ' -f1 <<<"$opts")" && ((i++))
			continue
		fi
		((n++))
	done
	_cpolc_positional "$n"
	return 0
}

complete -F _cpolc cpolc
