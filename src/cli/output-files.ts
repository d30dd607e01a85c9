// The files tls13 writes: secrets (--keylog / SSLKEYLOGFILE, --trace FORMAT=FILE, --sess-out, cert --out-key)
// and the rest (cert --out-cert, --out-spki, demo --pcap). Their names may sit in a directory that another
// local user can write (a shared /tmp without the kernel's protected_symlinks and protected_fifos, a
// group-writable project directory), so whatever is found at a name must be ours before anything goes in:
// neither a symbolic link to a regular file, nor a second hard link, nor another user's file, named pipe or
// terminal, nor a device other than /dev/null, /dev/tty and a terminal of ours.
import { closeSync, constants, existsSync, fchmodSync, fstatSync, ftruncateSync, openSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { isatty } from 'node:tty';

/** Owner only: key logs, traces and session files hold secrets (a key log decrypts the whole connection). */
const PRIVATE_FILE_MODE = 0o600;
/** Other output (a certificate, a public key, a pcap): as the umask lets it. */
const PUBLIC_FILE_MODE = 0o666;

const { O_WRONLY, O_CREAT, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = constants;

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

function isFileNamed(stat: Stats, path: string): boolean {
  try {
    return sameFile(stat, statSync(path));
  } catch {
    return false;
  }
}

/**
 * Why what `fd` leads to may not take our `kind` of output, or undefined. A second hard link makes what we write
 * readable under a name we did not give (and would chmod the file it shares); a file, pipe or terminal of
 * another user is theirs to read (and a file theirs to chmod back; only root could narrow it, any other user
 * gets EPERM from fchmod). A device is only written when it is /dev/null, our controlling terminal (/dev/tty)
 * or a terminal of ours (`--keylog /dev/stderr`): root may write a disk, /dev/kmsg or another user's terminal.
 */
function plantedProblem(fd: number, stat: Stats, kind: OutputKind): string | undefined {
  const uid = process.getuid?.();
  const ours = uid === undefined || stat.uid === uid;
  if (stat.isFile()) {
    if (!ours) return `belongs to user ${stat.uid}, not to us`;
    if (stat.nlink > 1) return `has ${stat.nlink} names (hard links); a file for secrets must have one`;
    return undefined;
  }
  if (stat.isFIFO()) {
    if (!ours) return `is a named pipe of user ${stat.uid}, not ours: it would hand them what we write`;
    // Any process that may open a pipe for reading takes its share of what is written, and one already
    // waiting in open(2) keeps its descriptor whatever the mode becomes: refused, not narrowed.
    if (kind === 'private' && (stat.mode & 0o044) !== 0) return `is a named pipe other users may read (mode ${(stat.mode & 0o777).toString(8)}): they would take secrets from it; chmod 600 it`;
    return undefined;
  }
  if (stat.isCharacterDevice()) {
    if (isFileNamed(stat, '/dev/null') || isFileNamed(stat, '/dev/tty') || (isatty(fd) && ours)) return undefined;
    return isatty(fd) ? `is the terminal of user ${stat.uid}, not ours` : 'is a device (only /dev/null and a terminal of ours are written)';
  }
  return stat.isBlockDevice() ? 'is a block device (a disk)' : 'is neither a file, a named pipe nor a terminal';
}

/**
 * open(2) of `file` for writing, without waiting: a named pipe that no process reads fails at once (ENXIO),
 * said plainly, where a blocking open would hang the command (and `tls13 serve` before it listens) until
 * a reader comes. The name itself is not followed when it is a symbolic link (O_NOFOLLOW): one planted
 * there would have us chmod, append to or truncate its target; a link to a device or a pipe (`/dev/stderr`)
 * is still written through, one to a regular file is refused. Neither creates nor truncates through a link.
 */
function openWithoutWaiting(file: string, append: number, mode: number): number {
  try {
    try {
      return openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | append, mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    }
    const fd = openSync(file, O_WRONLY | O_NONBLOCK | append);
    if (fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new Error('is a symbolic link to a regular file; name the file itself');
    }
    return fd;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    throw new Error(noReaderProblem(file));
  }
}

/** Why open(2) said ENXIO ("no such device or address"). */
function noReaderProblem(file: string): string {
  let stat: Stats | undefined;
  try {
    stat = statSync(file);
  } catch {
    // gone meanwhile
  }
  if (stat?.isFIFO()) return 'is a named pipe that no process reads; start its reader first';
  if (stat?.isSocket()) return 'is a socket, which cannot be opened as a file';
  return 'no such device or address';
}

/**
 * A descriptor that waits when the reader of a pipe or terminal is slow, for the very pipe or device that
 * was checked: reopened while the caller still holds the non-blocking `checkedFd`, so a reader that came
 * for it never sees the writing side closed, and compared by device and inode. Reopened through
 * /proc/self/fd where there is one: by name, a link planted since the check (to another user's pipe that
 * no one reads, to a device whose open(2) alone does something) would be followed before the comparison.
 */
function blockingTwin(file: string, checkedFd: number, checked: Stats, append: number): number {
  const fd = openSync(existsSync('/proc/self/fd') ? `/proc/self/fd/${checkedFd}` : file, O_WRONLY | append);
  if (!sameFile(fstatSync(fd), checked)) {
    closeSync(fd);
    throw new Error('was replaced by another file while it was opened');
  }
  return fd;
}

export type OutputKind = 'private' | 'public';

/**
 * Opens an output file (`flags` 'a' appends, 'w' truncates) after the checks of plantedProblem. A private
 * file is created with mode 0600, and an existing regular one is narrowed to 0600 before the first secret
 * goes in (the mode of open() applies only to a file it creates); a named pipe or terminal is left as it is.
 * Nothing is truncated before the checks. Returns the descriptor, one that waits for a slow reader.
 */
export function openOutputFile(file: string, flags: 'a' | 'w', kind: OutputKind = 'private'): number {
  const append = flags === 'a' ? O_APPEND : 0;
  const fd = openWithoutWaiting(file, append, kind === 'private' ? PRIVATE_FILE_MODE : PUBLIC_FILE_MODE);
  try {
    const stat = fstatSync(fd);
    const problem = plantedProblem(fd, stat, kind);
    if (problem) throw new Error(problem);
    if (!stat.isFile()) {
      const twin = blockingTwin(file, fd, stat, append);
      closeSync(fd);
      return twin;
    }
    if (kind === 'private') fchmodSync(fd, PRIVATE_FILE_MODE);
    if (flags === 'w') ftruncateSync(fd, 0);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Writes an output file afresh (a session file, a private key, a certificate) through openOutputFile. */
export function writeOutputFile(file: string, data: string | Uint8Array, kind: OutputKind = 'private'): void {
  const fd = openOutputFile(file, 'w', kind);
  try {
    writeFileSync(fd, data); // the whole of it, in as many write(2)s as a pipe takes
  } finally {
    closeSync(fd);
  }
}

const REPLACED = 'was replaced by another file since it was opened';

export interface Appender {
  write(text: string): void;
  /** Closes what is kept open (a pipe or terminal); a regular file is opened for each write. */
  close(): void;
}

/**
 * Appends to a secret file opened with openOutputFile. A regular file is reopened by name for each write,
 * and written only while the name still leads to the file that was checked (device and inode): another
 * file renamed in under the name since (by whoever may write its directory) gets nothing, the write throws
 * instead. A named pipe or terminal stays open: its reader would take each close for the end of the data.
 */
export function privateFileAppender(file: string, flags: 'a' | 'w'): Appender {
  const fd = openOutputFile(file, flags);
  const opened = fstatSync(fd);
  if (!opened.isFile()) return { write: (text) => writeFileSync(fd, text), close: () => closeSync(fd) };
  closeSync(fd);
  return {
    write(text) {
      // Neither created nor narrowed again: the very file checked, or nothing. A link to it is no longer it,
      // and a named pipe renamed in (that no process reads) must not hold us in open(2): O_NONBLOCK.
      let now: number;
      try {
        now = openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ELOOP' || code === 'ENXIO') throw new Error(REPLACED);
        throw e;
      }
      try {
        if (!sameFile(fstatSync(now), opened)) throw new Error(REPLACED);
        writeFileSync(now, text);
      } finally {
        closeSync(now);
      }
    },
    close: () => {},
  };
}
