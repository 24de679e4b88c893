# shellcheck shell=bash disable=SC2034  # sets variables for the script that sources it
# Shared by nsys.sh and ncu.sh (sourced, not run): splits `[tool args --] command...`, names the
# report after the run, and stops with exit 2 and a clear message when the tool is missing.
# Sets: tool_args (array), command (array), report (path without the tool's extension).

profile_usage() {
  cat >&2 <<USAGE
usage: $1 [$2 args --] COMMAND [ARGS...]
  e.g. $1 build/fedload run --config jobs/configs/quickstart.toml
       $1 -- mpirun -np 4 build/fedload run --config jobs/configs/quickstart.toml
Writes results/profile/NAME-UTCSTAMP[-rankR]: NAME is \$FEDLOAD_PROFILE_NAME, else the --config
file's name, else the command's. \$$3 names the $2 program (default: $2 on PATH).
USAGE
  exit 2
}

# profile_setup SCRIPT TOOL TOOL_VAR "$@"
profile_setup() {
  local script=$1 tool=$2 tool_var=$3
  shift 3
  tool_args=()
  command=("$@")
  local i
  for ((i = 1; i <= $#; i++)); do
    if [[ ${!i} == "--" ]]; then
      tool_args=("${@:1:i-1}")
      command=("${@:i+1}")
      break
    fi
  done
  [[ ${#command[@]} -gt 0 ]] || profile_usage "$script" "$tool" "$tool_var"

  tool_bin=${!tool_var:-$tool}
  if ! command -v "$tool_bin" >/dev/null 2>&1; then
    echo "$script: $tool_bin not found: install NVIDIA Nsight ($tool ships with the CUDA toolkit or" \
         "the Nsight download) and put it on PATH, or set $tool_var=/path/to/$tool" >&2
    exit 2
  fi

  local name=${FEDLOAD_PROFILE_NAME:-}
  if [[ -z $name ]]; then
    for ((i = 0; i < ${#command[@]}; i++)); do
      case ${command[i]} in
        --config) name=$(basename "${command[i + 1]:-}" .toml) ;;
        --config=*) name=$(basename "${command[i]#--config=}" .toml) ;;
      esac
    done
  fi
  [[ -n $name ]] || name=$(basename "${command[0]}")
  # one report per rank when the wrapper itself is started by mpirun/srun
  local rank=${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-${SLURM_PROCID:-}}}
  mkdir -p results/profile
  report="results/profile/${name}-$(date -u +%Y%m%dT%H%M%SZ)${rank:+-rank$rank}"
}
