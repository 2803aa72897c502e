#compdef kubectl-multigres
# zsh completion for kubectl-multigres
# (made by 'kubectl-multigres completion zsh'; the candidates come from
# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)

_kubectl-multigres()
{
	local -a lines cands
	local out line directive=0

	out=$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
	lines=("${(@f)out}")
	if [[ ${lines[-1]} == :* ]]; then
		directive=${lines[-1]#:}
		lines=("${(@)lines[1,-2]}")
	fi
	for line in "${lines[@]}"; do
		[[ -n $line ]] || continue
		if [[ $line == *$'\t'* ]]; then
			cands+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
		else
			cands+=("${line//:/\\:}")
		fi
	done
	if (( ${#cands} == 0 )); then
		# directive 4: no file names; otherwise complete them
		(( directive & 4 )) || _files
		return
	fi
	_describe -V 'kubectl-multigres' cands
}

if [[ $funcstack[1] == _kubectl-multigres ]]; then
	_kubectl-multigres "$@"
else
	compdef _kubectl-multigres kubectl-multigres
fi
