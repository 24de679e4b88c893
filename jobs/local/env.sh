# Environment for running fedload's MPI programs on a workstation or CI box.
# Open MPI refuses to run as root unless told it is fine (CI containers run as root), and
# oversubscription lets tests start more ranks than there are cores.
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
# containers often lack a usable shared-memory segment size for vader's single-copy mode
export OMPI_MCA_btl_vader_single_copy_mechanism=none
