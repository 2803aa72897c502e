# fish completion for kubectl-multigres
# (made by 'kubectl-multigres completion fish'; the candidates come from
# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)

function __kubectl_multigres_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)
    or return
    set -l directive 0
    if string match -q -r '^:[0-9]+$' -- $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    if test (count $out) -eq 0
        # directive 4: no file names; otherwise complete them
        if test (math "floor($directive / 4) % 2") -eq 0
            __fish_complete_path $cur
        end
        return
    end
    printf '%s\n' $out
end

complete -c kubectl-multigres -f -a '(__kubectl_multigres_complete)'
