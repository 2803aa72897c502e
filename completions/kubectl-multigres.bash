# bash completion for kubectl-multigres
# (made by 'kubectl-multigres completion bash'; the candidates come from
# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)

_kubectl_multigres()
{
	local line=${COMP_LINE:0:COMP_POINT}
	local -a words cands
	local out l directive=0 cur pre wb i

	read -r -a words <<<"$line"
	# a new word is starting: complete an empty one
	if [[ ${#words[@]} -le 1 || $line == *[[:space:]] ]]; then
		words+=("")
	fi
	cur=${words[${#words[@]}-1]}
	out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return
	while IFS= read -r l; do
		cands+=("${l%%$'\t'*}")
	done <<<"$out"
	# the last line is ":<directive>"
	if [[ ${cands[${#cands[@]}-1]} == :* ]]; then
		directive=${cands[${#cands[@]}-1]#:}
		unset 'cands[${#cands[@]}-1]'
	fi
	if [[ ${#cands[@]} -eq 0 ]]; then
		# directive 4: no file names; otherwise let bash complete them
		if (( (directive & 4) == 0 )); then
			compopt -o default 2>/dev/null
		fi
		COMPREPLY=()
		return
	fi
	# readline replaces only the text after the last word-break character
	# ('=' and ':' in COMP_WORDBREAKS): drop what comes before it
	wb=
	[[ $COMP_WORDBREAKS == *=* ]] && wb+='='
	[[ $COMP_WORDBREAKS == *:* ]] && wb+=':'
	pre=
	if [[ -n $wb && $cur == *["$wb"]* ]]; then
		pre=${cur%"${cur##*["$wb"]}"}
	fi
	COMPREPLY=()
	for i in "${cands[@]}"; do
		COMPREPLY+=("${i#"$pre"}")
	done
}
complete -F _kubectl_multigres kubectl-multigres
