/*
 * cmd_completion.c - `completion bash|zsh|fish`: the shell completion
 * scripts. They are thin: each sends the words typed so far to the
 * hidden `__complete` command (cmd_complete.c), which knows the command
 * table, and shows what it answers. The same files are in completions/
 * (the integration suite plugin-completion.sh checks they are what this
 * prints).
 */
#include "compat.h"

#include "cli.h"

static const char bash_script[] =
	"# bash completion for kubectl-multigres\n"
	"# (made by 'kubectl-multigres completion bash'; the candidates come from\n"
	"# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)\n"
	"\n"
	"_kubectl_multigres()\n"
	"{\n"
	"\tlocal line=${COMP_LINE:0:COMP_POINT}\n"
	"\tlocal -a words cands\n"
	"\tlocal out l directive=0 cur pre wb i\n"
	"\n"
	"\tread -r -a words <<<\"$line\"\n"
	"\t# a new word is starting: complete an empty one\n"
	"\tif [[ ${#words[@]} -le 1 || $line == *[[:space:]] ]]; then\n"
	"\t\twords+=(\"\")\n"
	"\tfi\n"
	"\tcur=${words[${#words[@]}-1]}\n"
	"\tout=$(\"${words[0]}\" __complete \"${words[@]:1}\" 2>/dev/null) || return\n"
	"\twhile IFS= read -r l; do\n"
	"\t\tcands+=(\"${l%%$'\\t'*}\")\n"
	"\tdone <<<\"$out\"\n"
	"\t# the last line is \":<directive>\"\n"
	"\tif [[ ${cands[${#cands[@]}-1]} == :* ]]; then\n"
	"\t\tdirective=${cands[${#cands[@]}-1]#:}\n"
	"\t\tunset 'cands[${#cands[@]}-1]'\n"
	"\tfi\n"
	"\tif [[ ${#cands[@]} -eq 0 ]]; then\n"
	"\t\t# directive 4: no file names; otherwise let bash complete them\n"
	"\t\tif (( (directive & 4) == 0 )); then\n"
	"\t\t\tcompopt -o default 2>/dev/null\n"
	"\t\tfi\n"
	"\t\tCOMPREPLY=()\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t# readline replaces only the text after the last word-break character\n"
	"\t# ('=' and ':' in COMP_WORDBREAKS): drop what comes before it\n"
	"\twb=\n"
	"\t[[ $COMP_WORDBREAKS == *=* ]] && wb+='='\n"
	"\t[[ $COMP_WORDBREAKS == *:* ]] && wb+=':'\n"
	"\tpre=\n"
	"\tif [[ -n $wb && $cur == *[\"$wb\"]* ]]; then\n"
	"\t\tpre=${cur%\"${cur##*[\"$wb\"]}\"}\n"
	"\tfi\n"
	"\tCOMPREPLY=()\n"
	"\tfor i in \"${cands[@]}\"; do\n"
	"\t\tCOMPREPLY+=(\"${i#\"$pre\"}\")\n"
	"\tdone\n"
	"}\n"
	"complete -F _kubectl_multigres kubectl-multigres\n";

static const char zsh_script[] =
	"#compdef kubectl-multigres\n"
	"# zsh completion for kubectl-multigres\n"
	"# (made by 'kubectl-multigres completion zsh'; the candidates come from\n"
	"# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)\n"
	"\n"
	"_kubectl-multigres()\n"
	"{\n"
	"\tlocal -a lines cands\n"
	"\tlocal out line directive=0\n"
	"\n"
	"\tout=$(${words[1]} __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null) || return 1\n"
	"\tlines=(\"${(@f)out}\")\n"
	"\tif [[ ${lines[-1]} == :* ]]; then\n"
	"\t\tdirective=${lines[-1]#:}\n"
	"\t\tlines=(\"${(@)lines[1,-2]}\")\n"
	"\tfi\n"
	"\tfor line in \"${lines[@]}\"; do\n"
	"\t\t[[ -n $line ]] || continue\n"
	"\t\tif [[ $line == *$'\\t'* ]]; then\n"
	"\t\t\tcands+=(\"${${line%%$'\\t'*}//:/\\\\:}:${line#*$'\\t'}\")\n"
	"\t\telse\n"
	"\t\t\tcands+=(\"${line//:/\\\\:}\")\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tif (( ${#cands} == 0 )); then\n"
	"\t\t# directive 4: no file names; otherwise complete them\n"
	"\t\t(( directive & 4 )) || _files\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t_describe -V 'kubectl-multigres' cands\n"
	"}\n"
	"\n"
	"if [[ $funcstack[1] == _kubectl-multigres ]]; then\n"
	"\t_kubectl-multigres \"$@\"\n"
	"else\n"
	"\tcompdef _kubectl-multigres kubectl-multigres\n"
	"fi\n";

static const char fish_script[] =
	"# fish completion for kubectl-multigres\n"
	"# (made by 'kubectl-multigres completion fish'; the candidates come from\n"
	"# 'kubectl-multigres __complete WORDS... CURRENT', cobra's protocol)\n"
	"\n"
	"function __kubectl_multigres_complete\n"
	"    set -l tokens (commandline -opc)\n"
	"    set -l cur (commandline -ct)\n"
	"    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)\n"
	"    or return\n"
	"    set -l directive 0\n"
	"    if string match -q -r '^:[0-9]+$' -- $out[-1]\n"
	"        set directive (string sub -s 2 -- $out[-1])\n"
	"        set -e out[-1]\n"
	"    end\n"
	"    if test (count $out) -eq 0\n"
	"        # directive 4: no file names; otherwise complete them\n"
	"        if test (math \"floor($directive / 4) % 2\") -eq 0\n"
	"            __fish_complete_path $cur\n"
	"        end\n"
	"        return\n"
	"    end\n"
	"    printf '%s\\n' $out\n"
	"end\n"
	"\n"
	"complete -c kubectl-multigres -f -a '(__kubectl_multigres_complete)'\n";

static int
exec_completion(struct cli_ctx *ctx)
{
	const char *shell;

	if (ctx->nargs != 1)
		return cli_usagef(ctx, "say which shell: bash, zsh or fish");
	shell = ctx->args[0];
	if (!strcmp(shell, "bash"))
		fputs(bash_script, stdout);
	else if (!strcmp(shell, "zsh"))
		fputs(zsh_script, stdout);
	else if (!strcmp(shell, "fish"))
		fputs(fish_script, stdout);
	else
		return cli_usagef(ctx, "unknown shell '%s': bash, zsh or fish",
				  shell);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_completion = {
	.name = "completion",
	.usage = "bash|zsh|fish",
	.summary = "print a shell completion script",
	.help = "Print the completion script for a shell. The scripts complete\n"
		"commands, flags, kinds and the names of objects, namespaces and\n"
		"kubeconfig contexts, asking the cluster the flags point at.\n"
		"\n"
		"Under 'kubectl multigres' (kubectl >= 1.26) no script is needed:\n"
		"kubectl runs kubectl_complete-multigres, a link to this program\n"
		"that 'make install' puts next to it. With krew, make the link by\n"
		"hand, next to the kubectl-multigres krew installed:\n"
		"  ln -s kubectl-multigres ~/.krew/bin/kubectl_complete-multigres",
	.examples = "  source <(kubectl-multigres completion bash)\n"
		    "  kubectl-multigres completion zsh > \"${fpath[1]}/_kubectl-multigres\"\n"
		    "  kubectl-multigres completion fish > ~/.config/fish/completions/kubectl-multigres.fish\n",
	.complete = "shell",
	.exec = exec_completion,
};
