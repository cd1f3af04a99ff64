# bash completion for cpolc(1)                             -*- shell-script -*-
#
# Installed as $(datadir)/bash-completion/completions/cpolc; bash-completion
# loads it on first use. Works without bash-completion's helpers too.

_cpolc_commands='build eval lint fmt compile disasm graph verify catalog cache'
_cpolc_catalog_commands='init add import-deb set-scan list show verify'
_cpolc_cache_commands='prune'

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

# _cpolc_options CMD [SUB]: the options of a command.
_cpolc_options()
{
	case $1 in
	build)
		echo '-r -D -C -o --format --tag --policy --lock --locked --cache --no-cache
		      --max-layers --compression -M -MT --help' ;;
	eval) echo '-r -D -C --policy --format --help' ;;
	lint) echo '-C --format -Werror --caret --stdlib --help' ;;
	fmt) echo '--check --diff --help' ;;
	compile) echo '-o --help' ;;
	disasm) echo '--help' ;;
	graph) echo '-r -C --format --help' ;;
	verify) echo '--lock --help' ;;
	catalog)
		case $2 in
		add) echo '--name --version --kind --depends --provides --platform --license --meta --help' ;;
		list) echo '--format --help' ;;
		*) echo '--help' ;;
		esac ;;
	cache)
		case $2 in
		prune) echo '--max-size --help' ;;
		*) echo '--help' ;;
		esac ;;
	esac
}

# _cpolc_value CMD SUB PREV: complete the value of option PREV; returns 1
# when PREV takes no value.
_cpolc_value()
{
	local cmd=$1 sub=$2 prev=$3
	case $prev in
	--format)
		case $cmd/$sub in
		build/*) _cpolc_words 'oci-dir oci-archive' ;;
		eval/*) _cpolc_words 'json text' ;;
		lint/*) _cpolc_words 'gcc json sarif github' ;;
		graph/*) _cpolc_words 'dot json' ;;
		catalog/list) _cpolc_words 'text json' ;;
		esac ;;
	--compression) _cpolc_words 'gzip zstd none' ;;
	--kind) _cpolc_words 'executable library config data base' ;;
	-r) _cpolc_files json; [[ -z $cur || $cur == - ]] && COMPREPLY+=(-) ;;
	--meta) _cpolc_files json ;;
	--lock) _cpolc_files lock json ;;
	-C | --cache | --stdlib) _cpolc_dirs ;;
	-o)
		if [[ $cmd == compile ]]; then _cpolc_files cpolb; else _cpolc_any_file; fi ;;
	-M | -MT) _cpolc_any_file ;;
	-D | --tag | --policy | --max-layers | --max-size | --name | --version | \
	--depends | --provides | --platform | --license)
		;; # free text
	*) return 1 ;;
	esac
	return 0
}

# _cpolc_positional CMD SUB N: complete the N-th operand (0-based) of CMD.
_cpolc_positional()
{
	local cmd=$1 sub=$2 n=$3
	case $cmd in
	build | eval | graph) [[ $n -eq 0 ]] && _cpolc_files cpol cpolb ;;
	lint | fmt) _cpolc_files cpol ;;
	compile) [[ $n -eq 0 ]] && _cpolc_files cpol ;;
	disasm) [[ $n -eq 0 ]] && _cpolc_files cpolb cpol ;;
	verify) [[ $n -eq 0 ]] && _cpolc_dirs ;;
	catalog)
		if [[ $n -eq 0 ]]; then
			_cpolc_dirs
			return
		fi
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

	if [[ $cword -eq 1 ]]; then
		if [[ $cur == -* ]]; then
			_cpolc_words '--help --version'
		else
			_cpolc_words "$_cpolc_commands"
		fi
		return 0
	fi

	local cmd=${words[1]} sub= first=2
	case $cmd in
	catalog | cache)
		if [[ $cword -eq 2 ]]; then
			if [[ $cmd == catalog ]]; then
				_cpolc_words "$_cpolc_catalog_commands"
			else
				_cpolc_words "$_cpolc_cache_commands"
			fi
			return 0
		fi
		sub=${words[2]}
		first=3 ;;
	esac

	_cpolc_value "$cmd" "$sub" "$prev" && return 0

	if [[ $cur == -* ]]; then
		_cpolc_words "$(_cpolc_options "$cmd" "$sub")"
		return 0
	fi

	# count the operands before the cursor, skipping options and their values
	local i n=0 w
	for ((i = first; i < cword; i++)); do
		w=${words[i]}
		if [[ $w == -* ]]; then
			case $w in
			--locked | --no-cache | -Werror | --caret | --help) ;;
			*) ((i++)) ;;
			esac
			continue
		fi
		((n++))
	done
	_cpolc_positional "$cmd" "$sub" "$n"
	return 0
}

complete -F _cpolc cpolc
