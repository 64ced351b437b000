// The recording half of SockScope's Java socket-origins agent (see ../Agent.java), on the boot class
// path so that the JDK's own socket code can call it. For each new socket descriptor it records the
// Java stack (a Throwable's, capped; frames of the JDK's packages and of the agent are left out, so frame 0
// is the innermost frame of the program: file as package path + source file name, `Class.method`,
// line), and each close, so that a reused descriptor is never attributed to an old stack.
//
// Cost: the hot path walks the stack to a key of class, method and bytecode index (no string is built);
// only a key not seen before becomes a site, written once. Events are queued and written in batches, at
// most 200 ms late, by a daemon thread that waits while there is nothing to write (and at exit by a
// shutdown hook). In a batch a socket opened and closed again is only counted; a socket still open gets
// its inode (fstat) then, which also leaves out descriptors that are not sockets (the JDK makes file
// channels' descriptors through the same newFD). The queue is written early when it reaches 8,192
// events, so the recorder's memory is bounded by that and the live descriptors.
//
// Output: <records dir>/<pid>.stream in the line format of src/core/origins/streamFile.ts (keep in
// step), preallocated to its cap ($SOCKSCOPE_ORIGINS_LOG_BYTES, 4 MiB) and mapped, so a batch is a
// copy into memory the reader sees at once; when it is full it is rewritten compactly (sites, counts,
// live descriptors). The records folder is the native recorder's: $SOCKSCOPE_ORIGINS_DIR,
// $XDG_RUNTIME_DIR/sockscope or /tmp/sockscope-<uid>, mode 0700, refused if anyone else may use it.
package sockscope.origins.boot;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class Recorder {
  private Recorder() {}

  private static final int MAX_SITES = 4096;
  private static final int MAX_FRAMES = 8;
  private static final int STACK_LIMIT = 32;
  private static final int BATCH = 8192;
  private static final long INTERVAL_MS = 200;

  private static volatile boolean on;
  private static VarHandle fdInt;
  // fstat through the JDK's own sun.nio.fs.UnixFileAttributes.get(int) (about a microsecond), when
  // this JDK has it; else the /proc/self/fd link is read (several).
  private static MethodHandle fstat;
  private static MethodHandle statIno;
  private static MethodHandle statMode;
  private static Path dir;
  private static Path file;
  private static long pid;
  private static String header;
  private static int cap;
  private static MappedByteBuffer out;
  private static int size;

  /** A socket's record: its site and time, its inode once written, closed once its close is seen. */
  private static final class Rec {
    final int fd;
    final int site;
    final long time;
    final long tid;
    long inode = -1;
    boolean closed;

    Rec(int fd, int site, long time, long tid) {
      this.fd = fd;
      this.site = site;
      this.time = time;
      this.tid = tid;
    }
  }

  /** A stack's identity: the program's frames as class, method and line. */
  private static final class Key {
    final String[] classes;
    final String[] methods;
    final int[] lines;
    final int hash;
    StackTraceElement[] trace; // the whole trace, until the key becomes a site

    Key(String[] classes, String[] methods, int[] lines) {
      this.classes = classes;
      this.methods = methods;
      this.lines = lines;
      int h = 1;
      for (int i = 0; i < lines.length; i++) h = (h * 31 + classes[i].hashCode()) * 31 + methods[i].hashCode() * 17 + lines[i];
      hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) return false;
      Key k = (Key) o;
      if (k.hash != hash || !Arrays.equals(k.lines, lines)) return false;
      for (int i = 0; i < lines.length; i++) {
        if (!classes[i].equals(k.classes[i]) || !methods[i].equals(k.methods[i])) return false;
      }
      return true;
    }
  }

  /** Per thread: inside the recorder (its own file's descriptors are not recorded), the descriptor newFD just made. */
  private static final class Local {
    boolean busy;
    int created = -1;
  }

  private static final Object LOCK = new Object();
  private static final Map<Key, Integer> siteIds = new HashMap<>();
  private static final List<String> siteLines = new ArrayList<>();
  private static final StringBuilder newSites = new StringBuilder();
  private static final List<int[]> counts = new ArrayList<>(); // {opens, closes}
  private static Rec[] live = new Rec[256]; // by descriptor
  private static Rec[] pendingRec = new Rec[1024]; // events since the last write, in order
  private static boolean[] pendingClose = new boolean[1024];
  private static int pending;
  private static int dropped;
  private static final ThreadLocal<Local> local = ThreadLocal.withInitial(Local::new);
  private static final Key NOT_SOCKET = new Key(new String[0], new String[0], new int[0]);

  /** Sets up the records file; false (after saying why on stderr) when origins cannot be recorded. */
  public static boolean start() {
    try {
      fdInt = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup()).findVarHandle(FileDescriptor.class, "fd", int.class);
      try {
        Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup());
        fstat = l.findStatic(attrs, "get", MethodType.methodType(attrs, int.class)).asType(MethodType.methodType(Object.class, int.class));
        statIno = l.findVirtual(attrs, "ino", MethodType.methodType(long.class)).asType(MethodType.methodType(long.class, Object.class));
        statMode = l.findVirtual(attrs, "mode", MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, Object.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        fstat = null;
      }
      int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      String env = System.getenv("SOCKSCOPE_ORIGINS_DIR");
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      dir = env != null && !env.isEmpty() ? Path.of(env)
          : xdg != null && xdg.startsWith("/") ? Path.of(xdg, "sockscope") : Path.of("/tmp/sockscope-" + uid);
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || owner != uid || (mode & 077) != 0) {
        System.err.println("sockscope-origins: refusing " + dir + ": it must be a directory of uid " + uid + " with mode 0700; origins not recorded");
        return false;
      }
      pid = ProcessHandle.current().pid();
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      header = "SSSTREAM\t1\tjava\t" + pid + "\t" + (fields.length > 19 ? fields[19] : "") + "\n";
      String capText = System.getenv("SOCKSCOPE_ORIGINS_LOG_BYTES");
      cap = 4 << 20;
      try { if (capText != null && !capText.isEmpty()) cap = Math.max(4096, Integer.parseInt(capText)); } catch (NumberFormatException e) { /* default */ }
      file = dir.resolve(pid + ".stream");
      openFile(header);
      on = true;
      Thread writer = new Thread(Recorder::writeLoop, "sockscope-origins");
      writer.setDaemon(true);
      writer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(Recorder::flush, "sockscope-origins-exit"));
      return true;
    } catch (Throwable t) {
      System.err.println("sockscope-origins: " + t + "; origins not recorded");
      return false;
    }
  }

  private static void openFile(String initial) throws java.io.IOException {
    byte[] data = initial.getBytes(StandardCharsets.UTF_8);
    int want = Math.max(cap, 2 * data.length);
    Path tmp = dir.resolve(pid + ".stream.tmp");
    Files.deleteIfExists(tmp);
    try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, want);
      m.put(data);
      out = m;
      size = want;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Called by the JDK with every new descriptor (sun.nio.ch.IOUtil.newFD): sockets, and file channels' and pipes' too. */
  public static void created(int fd) {
    if (!on || fd < 0) return;
    Local l = local.get();
    if (l.busy) return;
    l.busy = true;
    try {
      if (open(fd)) l.created = fd;
    } catch (Throwable e) {
      // never fail the program's socket call for the recorder's sake
    } finally {
      l.busy = false;
    }
  }

  /** Called with a descriptor a socket takes: accepted, or the one newFD made just before in this thread. */
  public static void adopted(FileDescriptor d) {
    if (!on || d == null) return;
    Local l = local.get();
    if (l.busy) return;
    l.busy = true;
    try {
      int fd = (int) fdInt.get(d);
      if (fd < 0) return;
      if (fd == l.created) {
        l.created = -1;
        synchronized (LOCK) {
          Rec known = fd < live.length ? live[fd] : null;
          if (known != null && !known.closed) return; // the socket's own descriptor, recorded by newFD
        }
      }
      open(fd);
    } catch (Throwable e) {
      // never fail the program's socket call for the recorder's sake
    } finally {
      l.busy = false;
    }
  }

  /** Called before the JDK closes a socket descriptor. */
  public static void closing(FileDescriptor d) {
    if (!on || d == null) return;
    int fd = (int) fdInt.get(d);
    if (fd < 0) return;
    Local l = local.get();
    if (l.busy) return;
    l.busy = true;
    try {
      synchronized (LOCK) {
        Rec r = fd < live.length ? live[fd] : null;
        if (r == null) return;
        live[fd] = null;
        r.closed = true;
        queue(r, true);
      }
    } catch (Throwable e) {
      // never fail the program's close for the recorder's sake
    } finally {
      l.busy = false;
    }
  }

  /** Queues a new descriptor's record; false when its stack shows it is no socket (a file channel's). */
  private static boolean open(int fd) {
    Key key = key();
    if (key == NOT_SOCKET) return false;
    long t = System.currentTimeMillis();
    long tid = Thread.currentThread().getId();
    synchronized (LOCK) {
      int site = key == null ? -1 : site(key);
      Rec r = new Rec(fd, site, t, tid);
      if (fd >= live.length) live = Arrays.copyOf(live, Math.max(fd + 1, 2 * live.length));
      live[fd] = r;
      queue(r, false);
    }
    return true;
  }

  /** Adds an event (the caller holds the lock); wakes the writer for the first one, writes at once past BATCH. */
  private static void queue(Rec r, boolean close) {
    if (pending == pendingRec.length) {
      if (pending >= BATCH) {
        write();
      } else {
        pendingRec = Arrays.copyOf(pendingRec, 2 * pending);
        pendingClose = Arrays.copyOf(pendingClose, 2 * pending);
      }
    }
    pendingRec[pending] = r;
    pendingClose[pending] = close;
    if (pending++ == 0) LOCK.notifyAll();
  }

  private static void writeLoop() {
    try {
      while (true) {
        synchronized (LOCK) {
          while (pending == 0 && on) LOCK.wait();
          if (!on) return;
        }
        Thread.sleep(INTERVAL_MS);
        flush();
      }
    } catch (InterruptedException e) {
      // the JVM is going away: the shutdown hook writes what is left
    }
  }

  /** Writes what is queued (the writer thread every 200 ms, the shutdown hook at exit). */
  private static void flush() {
    Local l = local.get();
    l.busy = true;
    try {
      synchronized (LOCK) {
        if (on) write();
      }
    } catch (Throwable e) {
      on = false;
    } finally {
      l.busy = false;
    }
  }

  /**
   * Writes the queued events (the caller holds the lock, and its thread is marked busy: a rewrite opens
   * files). A socket opened and closed again since the last write is only counted (an N line); one
   * still open gets its inode now (the descriptor is still its own: its close would be queued), and one
   * whose descriptor is no socket (a pipe's) is left out.
   */
  private static void write() {
    StringBuilder text = new StringBuilder();
    text.append(newSites);
    newSites.setLength(0);
    Map<Integer, Integer> brief = new HashMap<>();
    for (int i = 0; i < pending; i++) {
      Rec r = pendingRec[i];
      pendingRec[i] = null;
      if (pendingClose[i]) {
        if (r.inode < 0) continue; // counted with its open, or no socket
        if (r.site >= 0) counts.get(r.site)[1]++;
        text.append("C\t").append(r.fd).append('\t').append(r.site).append('\n');
        continue;
      }
      if (r.closed) {
        if (r.site >= 0) brief.merge(r.site, 1, Integer::sum);
        continue;
      }
      long inode = socketInode(r.fd);
      if (inode < 0) {
        r.closed = true; // no socket: forgotten
        if (live[r.fd] == r) live[r.fd] = null;
        continue;
      }
      r.inode = inode;
      if (r.site >= 0) counts.get(r.site)[0]++;
      text.append("O\t").append(r.fd).append('\t').append(inode).append('\t').append(r.site).append('\t').append(r.time).append('\t').append(r.tid).append('\n');
    }
    pending = 0;
    for (Map.Entry<Integer, Integer> e : brief.entrySet()) {
      int[] c = counts.get(e.getKey());
      c[0] += e.getValue();
      c[1] += e.getValue();
      text.append("N\t").append(e.getKey()).append('\t').append(e.getValue()).append('\t').append(e.getValue()).append('\n');
    }
    if (text.length() > 0) put(text.toString());
  }

  /** The inode of a socket descriptor (fstat, or its /proc/self/fd link `socket:[N]`); -1 for anything else. */
  private static long socketInode(int fd) {
    MethodHandle f = fstat;
    if (f != null) {
      try {
        Object st = (Object) f.invokeExact(fd);
        return ((int) statMode.invokeExact(st) & 0170000) == 0140000 ? (long) statIno.invokeExact(st) : -1;
      } catch (Throwable e) {
        return -1;
      }
    }
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      if (!link.startsWith("socket:[") || !link.endsWith("]")) return -1;
      return Long.parseLong(link.substring(8, link.length() - 1));
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean runtime(String className) {
    return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
        || className.startsWith("sun.") || className.startsWith("com.sun.") || className.startsWith("sockscope.origins.");
  }

  /**
   * The program's frames of the current stack (up to MAX_FRAMES in the first STACK_LIMIT); null when it
   * has none. Taken with a Throwable: on JDK 17 its whole stack trace costs a third of a StackWalker walk
   * that reads class and method names (measured on the connect/accept/close loop of bench/origins), and
   * it comes with the line numbers.
   */
  private static Key key() {
    StackTraceElement[] trace = new Throwable().getStackTrace();
    String[] classes = new String[MAX_FRAMES];
    String[] methods = new String[MAX_FRAMES];
    int[] lines = new int[MAX_FRAMES];
    int n = 0;
    int depth = Math.min(trace.length, STACK_LIMIT);
    for (int i = 0; i < depth && n < MAX_FRAMES; i++) {
      StackTraceElement f = trace[i];
      String cls = f.getClassName();
      if (i > 0 && i < 4 && "newFD".equals(trace[i - 1].getMethodName()) && "sun.nio.ch.IOUtil".equals(trace[i - 1].getClassName())) {
        // newFD's caller: the JDK's file channels and pipes make their descriptors there too.
        if (cls.startsWith("sun.nio.fs.") || cls.equals("sun.nio.ch.FileChannelImpl") || cls.equals("sun.nio.ch.PipeImpl")
            || cls.equals("sun.nio.ch.SourceChannelImpl") || cls.equals("sun.nio.ch.SinkChannelImpl")) return NOT_SOCKET;
      }
      if (runtime(cls)) continue;
      classes[n] = cls;
      methods[n] = f.getMethodName();
      lines[n] = Math.max(f.getLineNumber(), 0);
      n++;
    }
    if (n == 0) return null;
    Key k = new Key(Arrays.copyOf(classes, n), Arrays.copyOf(methods, n), Arrays.copyOf(lines, n));
    k.trace = trace;
    return k;
  }

  /** The site of a stack, made (and queued for writing) the first time it is seen; -1 when the table is full. */
  private static int site(Key key) {
    Integer id = siteIds.get(key);
    if (id != null) return id;
    if (siteLines.size() >= MAX_SITES) { dropped++; return -1; }
    StringBuilder json = new StringBuilder("[");
    int n = 0;
    int depth = Math.min(key.trace.length, STACK_LIMIT);
    for (int i = 0; i < depth && n < key.lines.length; i++) {
      StackTraceElement f = key.trace[i];
      String cls = f.getClassName();
      if (runtime(cls)) continue;
      n++;
      if (json.length() > 1) json.append(',');
      int dot = cls.lastIndexOf('.');
      String file = f.getFileName() == null ? null : (dot < 0 ? "" : cls.substring(0, dot).replace('.', '/') + "/") + f.getFileName();
      json.append('[').append(quote(file)).append(',').append(Math.max(f.getLineNumber(), 0)).append(',').append(quote(cls + "." + f.getMethodName())).append(']');
    }
    json.append(']');
    key.trace = null; // kept as the map's key: only its frames
    int site = siteLines.size();
    String line = "S\t" + site + "\t" + json + "\n";
    siteLines.add(line);
    counts.add(new int[2]);
    siteIds.put(key, site);
    newSites.append(line);
    return site;
  }

  private static String quote(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  /** Appends a batch (the caller holds the lock); a full file is rewritten from the state, which holds the batch's events already. */
  private static void put(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    if (out.position() + data.length <= size) {
      out.put(data);
      return;
    }
    // Sites, counts of what is no longer live, the live sockets already written (one still queued is
    // written by the next batch). The new file holds every site.
    StringBuilder s = new StringBuilder(header);
    for (String l : siteLines) s.append(l);
    int[] liveBySite = new int[siteLines.size()];
    for (Rec r : live) if (r != null && r.inode >= 0 && !r.closed && r.site >= 0) liveBySite[r.site]++;
    for (int i = 0; i < siteLines.size(); i++) s.append("N\t").append(i).append('\t').append(counts.get(i)[0] - liveBySite[i]).append('\t').append(counts.get(i)[1]).append('\n');
    if (dropped > 0) s.append("D\t").append(dropped).append('\n');
    for (Rec r : live) {
      if (r == null || r.inode < 0 || r.closed) continue;
      s.append("O\t").append(r.fd).append('\t').append(r.inode).append('\t').append(r.site).append('\t').append(r.time).append('\t').append(pid).append('\n');
    }
    try {
      openFile(s.toString());
    } catch (java.io.IOException e) {
      on = false;
    }
  }
}
