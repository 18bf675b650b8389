#!/bin/sh
# Builds one container's file system and starts its process, as a container runtime would.
# The node agent runs it as `unshare --mount --propagation private -- sh container-launcher.sh ...`
# (inside the pod's network namespace unless hostNetwork), so every mount below exists only in
# the container's own mount namespace: when its last process exits the kernel removes them, and
# a crashed node agent leaves no mount behind on the host.
#
# Why a script rather than a library: Node has no mount(2), pivot_root(2) or chroot(2); the
# util-linux tools do each step, and a shell sequences them inside the new namespace.
#
# usage: container-launcher.sh CGROUP_PROCS LOWER CONTAINER_DIR READ_ONLY_ROOT MOUNTS HOSTNAME WORKDIR EXEC_HELPER [HELPER_ARG...]
#   CGROUP_PROCS   the cluster cgroup's cgroup.procs to join (the kube-proxy's output DNAT matches it), or -
#   LOWER          the image's unpacked root file system (shared, never written)
#   CONTAINER_DIR  holds upper/, work/ and merged/ of this container's overlay
#   READ_ONLY_ROOT 1 to mount the root read-only once the mount points exist
#   MOUNTS         a file of tab-separated lines: MODE (ro|rw) SOURCE TARGET (TARGET inside the container)
#   HOSTNAME       the pod's host name in its own UTS namespace, or - (hostNetwork: the node's)
#   WORKDIR        the working directory inside the container, symbolic links already resolved
#   EXEC_HELPER    container-exec and its arguments after ROOT and WORKDIR (chroot, identity, capabilities, exec)
# The container's environment is this script's environment (the node agent passes it): the
# script therefore names the host's tools by absolute path and exports nothing of its own.
set -eu

cgroup_procs=$1
shift
lower=$1
dir=$2
read_only_root=$3
mounts=$4
hostname=$5
workdir=$6
helper=$7
shift 7

if [ "$cgroup_procs" != - ]; then
  echo $$ > "$cgroup_procs"
fi

root=$dir/merged
/usr/bin/mkdir -p "$dir/upper" "$dir/work" "$root"
/usr/bin/mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$root"

/usr/bin/mkdir -p "$root/proc" "$root/dev" "$root/sys"
/usr/bin/mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# A fresh sysfs shows the network devices of the namespace the container is in, read-only as runc mounts it.
/usr/bin/mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
/usr/bin/mount -t tmpfs -o nosuid,noexec,mode=755,size=64k dev "$root/dev"
for device in null zero full random urandom tty; do
  /usr/bin/touch "$root/dev/$device"
  /usr/bin/mount --bind "/dev/$device" "$root/dev/$device"
done
/usr/bin/ln -s /proc/self/fd "$root/dev/fd"
/usr/bin/ln -s /proc/self/fd/0 "$root/dev/stdin"
/usr/bin/ln -s /proc/self/fd/1 "$root/dev/stdout"
/usr/bin/ln -s /proc/self/fd/2 "$root/dev/stderr"
/usr/bin/mkdir -p "$root/dev/shm"
/usr/bin/mount -t tmpfs -o nosuid,nodev,noexec,size=64m shm "$root/dev/shm"

tab=$(/usr/bin/printf '\t')
while IFS="$tab" read -r mode source target; do
  [ -n "$target" ] || continue
  if [ -d "$source" ]; then
    /usr/bin/mkdir -p "$root$target"
  else
    /usr/bin/mkdir -p "$(/usr/bin/dirname "$root$target")"
    [ -e "$root$target" ] || /usr/bin/touch "$root$target"
  fi
  /usr/bin/mount --rbind "$source" "$root$target"
  if [ "$mode" = ro ]; then
    /usr/bin/mount -o remount,bind,ro "$root$target"
  fi
done < "$mounts"

/usr/bin/mkdir -p "$root$workdir"
if [ "$hostname" != - ]; then
  echo "$hostname" > /proc/sys/kernel/hostname
fi

if [ "$read_only_root" = 1 ]; then
  /usr/bin/mount -o remount,bind,ro "$root"
fi

exec "$helper" "$root" "$workdir" "$@"
