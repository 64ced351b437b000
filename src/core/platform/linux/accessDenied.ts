// Why the kernel refused to show a process's descriptors (EACCES on /proc/<pid>/fd), in words that say
// what to do. procfs lets a reader see another process's fds when ptrace's "read" access check passes:
// root (CAP_SYS_PTRACE), or the same user AND group ids (real, effective and saved all equal to the
// reader's) for a process that is dumpable. A process stops being dumpable by prctl(PR_SET_DUMPABLE, 0),
// or by starting from a setuid, setgid or file-capability program; procfs then shows its fd directory
// as root's.

/** What can still be read about a process whose descriptors could not be. */
export interface AccessFacts {
  /** The reader's effective user and group ids (undefined where the platform has none). */
  readonly readerUid: number | undefined;
  readonly readerGid: number | undefined;
  /** The process's user and group ids (real, effective, saved, filesystem), when its status was readable. */
  readonly uids?: readonly number[] | undefined;
  readonly gids?: readonly number[] | undefined;
  /** Owner of its /proc/<pid>/fd directory (root when it is not dumpable), when stat() worked. */
  readonly fdDirOwner?: number | undefined;
}

/** The end of a "No permission to read the descriptors of process N (name): …" sentence. */
export function accessDeniedReason(f: AccessFacts): string {
  if (f.readerUid === 0) {
    return 'the kernel refuses even root here (another user namespace, or a ptrace restriction such as Yama or hidepid).';
  }
  const [uid, euid, suid] = f.uids ?? [];
  const [gid, egid, sgid] = f.gids ?? [];
  if (f.readerUid === undefined || uid === undefined) return 'run SockScope as root or as the same user.';
  const sameUser = [uid, euid, suid].every((u) => u === f.readerUid);
  if (!sameUser) return 'run SockScope as root or as the same user.';
  const sameGroup = f.readerGid === undefined || gid === undefined || [gid, egid, sgid].every((g) => g === f.readerGid);
  if (!sameGroup) {
    return `it runs as your user but with group ids ${[gid, egid, sgid].join('/')} (real/effective/saved), not your ${f.readerGid}: `
      + 'Linux shows its descriptors only to root. Run SockScope as root.';
  }
  if (f.fdDirOwner !== undefined && f.fdDirOwner !== f.readerUid) {
    return 'it runs as your user, but it is not dumpable (it called prctl(PR_SET_DUMPABLE, 0), or it started from a setuid, '
      + 'setgid or file-capability program), and Linux then shows its descriptors only to root. Run SockScope as root, '
      + 'or let the process stay dumpable.';
  }
  return 'it runs as your user, but the kernel refuses access (a security module such as SELinux or AppArmor, or another user namespace). Run SockScope as root.';
}
