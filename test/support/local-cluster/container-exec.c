/*
 * The last step of starting a container on the local node: enter the container's root, change to
 * its working directory, take on its user, groups and capabilities, and exec its command.
 *
 * Why a few lines of C rather than a packaged tool: once the root is changed only the image's own
 * files can be executed, so one process must chroot, chdir, change identity and limit
 * capabilities before its single exec. capsh (libcap2-bin) does all but always chdirs to "/"
 * after --chroot, so an image's WorkingDir would be lost; nsenter/unshare (util-linux) chroot and
 * chdir but cannot limit the bounding set or raise ambient capabilities; setpriv cannot chroot.
 *
 * usage: container-exec ROOT WORKDIR UID GID GROUPS BOUNDING AMBIENT NO_NEW_PRIVS PATH ARGV0 [ARG...]
 *   GROUPS: comma-separated supplementary gids, or "-" for none
 *   BOUNDING, AMBIENT: capability masks in hex (bit n = capability n)
 *   NO_NEW_PRIVS: 1 or 0; PATH: the program inside ROOT; ARGV0 onwards: its argv
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "container-exec: %s %s: %s\n", what, detail, strerror(errno));
  exit(127);
}

static int cap_last(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
  int last = 40;
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = 40;
    fclose(f);
  }
  return last;
}

static void set_caps(uint64_t permitted, uint64_t inheritable) {
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  data[0].effective = data[0].permitted = (uint32_t)permitted;
  data[1].effective = data[1].permitted = (uint32_t)(permitted >> 32);
  data[0].inheritable = (uint32_t)inheritable;
  data[1].inheritable = (uint32_t)(inheritable >> 32);
  if (syscall(SYS_capset, &header, data) != 0) fail("capset", "");
}

int main(int argc, char **argv) {
  if (argc < 11) {
    fprintf(stderr, "usage: container-exec ROOT WORKDIR UID GID GROUPS BOUNDING AMBIENT NO_NEW_PRIVS PATH ARGV0 [ARG...]\n");
    return 127;
  }
  const char *root = argv[1], *workdir = argv[2], *groups = argv[5], *path = argv[9];
  uid_t uid = (uid_t)strtoul(argv[3], NULL, 10);
  gid_t gid = (gid_t)strtoul(argv[4], NULL, 10);
  uint64_t bounding = strtoull(argv[6], NULL, 16);
  uint64_t ambient = strtoull(argv[7], NULL, 16);
  int no_new_privs = strcmp(argv[8], "1") == 0;

  if (chroot(root) != 0) fail("chroot", root);
  if (chdir(workdir) != 0) fail("chdir", workdir);

  gid_t list[64];
  size_t count = 0;
  if (strcmp(groups, "-") != 0) {
    char *copy = strdup(groups);
    for (char *item = strtok(copy, ","); item && count < 64; item = strtok(NULL, ",")) list[count++] = (gid_t)strtoul(item, NULL, 10);
  }
  if (setgroups(count, list) != 0) fail("setgroups", groups);
  if (setresgid(gid, gid, gid) != 0) fail("setresgid", argv[4]);

  int last = cap_last();
  for (int cap = 0; cap <= last; cap++) {
    if (!(bounding & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail("drop from the bounding set", "");
  }
  // Keep the permitted set across setuid, so ambient capabilities can still be raised for a non-root user.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("keepcaps", "");
  if (setresuid(uid, uid, uid) != 0) fail("setresuid", argv[3]);
  if (uid == 0) {
    set_caps(bounding, 0);
  } else {
    set_caps(ambient, ambient);
    for (int cap = 0; cap <= last; cap++) {
      if ((ambient & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) fail("raise ambient", "");
    }
  }
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs", "");
  execve(path, argv + 10, environ);
  fail("exec", path);
  return 127;
}
