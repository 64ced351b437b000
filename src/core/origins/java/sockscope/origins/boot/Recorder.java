// The recording half of SockScope's Java socket-origins agent (see ../Agent.java), on the boot class
// path so that the JDK's own socket code can call it. For each new socket descriptor it records the
// Java stack (capped; frames of the JDK's packages and of the agent are left out, so frame 0
// is the innermost frame of the program: file as package path + source file name, `Class.method`,
// line), and each close, so that a reused descriptor is never attributed to an old stack.
//
// Cost: the hot path takes the stack (a Throwable's, or StackWalker's where that is cheaper: see
// stackMode) to a key of class, method and line or bytecode index (no string is built); only a key not
// seen before becomes a site, written once. Events are queued and written in batches, at
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
  // The stack capture: a Throwable's trace or StackWalker (bounded to STACK_LIMIT frames, a method name
  // read only for the program's frames), whichever is cheaper for this JDK and program. Which one is, is
  // not a matter of version alone: a Throwable materializes the whole stack, a walk only its first frames
  // but at a higher cost per frame (measured on JDK 17 and 25: on the shallow stacks of the
  // connect/accept/close loop of bench/origins a Throwable is cheaper on both, with 80 frames more a
  // walk is cheaper on both). So the two are used alternately on the program's own sockets: the first
  // STACK_WARM captures let the JIT compile both (a walk runs much more Java code: timed earlier it loses
  // for that alone), the next STACK_TRIAL are timed, and the one with the lower median is kept. Both give the
  // same frames, hence the same sites. SOCKSCOPE_ORIGINS_JAVA_STACK=throwable or walker forces one. The
  // system property sockscope.origins.stack says which is used once chosen.
  private static final int STACK_TRIAL_MODE = 0;
  private static final int STACK_THROWABLE = 1;
  private static final int STACK_WALKER = 2;
  private static final int STACK_WARM = 4096;
  private static final int STACK_TRIAL = 512;
  private static volatile int stackMode = STACK_TRIAL_MODE;
  private static StackWalker stackWalker;
  private static final java.util.concurrent.atomic.AtomicInteger trialCaptures = new java.util.concurrent.atomic.AtomicInteger();
  private static final long[][] trialNanos = new long[2][STACK_TRIAL / 2];
  private static final int[] trialCount = new int[2];
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

  /**
   * A stack's identity: the program's frames as class, method and position (the line with a Throwable's
   * trace; the bytecode index with StackWalker, whose line numbers cost a lookup each).
   */
  private static final class Key {
    final String[] classes;
    final String[] methods;
    final int[] positions;
    final int hash;
    Object frames; // the raw frames (StackTraceElement[] or StackWalker.StackFrame[]), until the key is in the table

    Key(String[] classes, String[] methods, int[] positions) {
      this.classes = classes;
      this.methods = methods;
      this.positions = positions;
      int h = 1;
      for (int i = 0; i < positions.length; i++) h = (h * 31 + classes[i].hashCode()) * 31 + methods[i].hashCode() * 17 + positions[i];
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
      if (k.hash != hash || !Arrays.equals(k.positions, positions)) return false;
      for (int i = 0; i < positions.length; i++) {
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
  private static final Map<String, Integer> siteByFrames = new HashMap<>(); // a site's frames JSON: two keys (bytecode indexes on one line) share it
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

  /**
   * Why the records folder may not be used, or null: in the words of src/core/origins/recordsDir.ts's
   * recordsDirProblem (keep the four recorders and the reader in step).
   */
  private static String dirProblem(Path dir, int me) throws java.io.IOException {
    int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    String octal = Integer.toOctalString(mode & 0777);
    String facts = "owner uid " + owner + ", mode " + "000".substring(octal.length() - 1) + octal;
    String what = Files.isSymbolicLink(dir) ? "a symbolic link" : Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? null : "not a directory";
    if (what != null) return dir + " is " + what + " (" + facts + "); set SOCKSCOPE_ORIGINS_DIR to a folder of your own";
    if (owner != me) return dir + " belongs to another user (" + facts + "; you are uid " + me + "); set SOCKSCOPE_ORIGINS_DIR to a folder of your own";
    if ((mode & 077) != 0) return dir + " may be read or written by others (" + facts + "); run `chmod 700 " + dir + "`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own";
    return null;
  }

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
        try {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // made meanwhile (another JVM of the same launch): checked below like any other
        }
      }
      String problem = dirProblem(dir, uid);
      if (problem != null) {
        System.err.println("sockscope-origins: refusing the origins folder: " + problem + "; origins not recorded");
        return false;
      }
      pid = ProcessHandle.current().pid();
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      header = "SSSTREAM\t1\tjava\t" + pid + "\t" + (fields.length > 19 ? fields[19] : "") + "\n";
      String capText = System.getenv("SOCKSCOPE_ORIGINS_LOG_BYTES");
      cap = 4 << 20;
      try { if (capText != null && !capText.isEmpty()) cap = Math.max(4096, Integer.parseInt(capText)); } catch (NumberFormatException e) { /* default */ }
      String stack = System.getenv("SOCKSCOPE_ORIGINS_JAVA_STACK");
      stackMode = "throwable".equals(stack) ? STACK_THROWABLE : "walker".equals(stack) ? STACK_WALKER : STACK_TRIAL_MODE;
      if (stackMode != STACK_TRIAL_MODE) System.setProperty("sockscope.origins.stack", stack);
      if (stackMode != STACK_THROWABLE) stackWalker = StackWalker.getInstance(java.util.Set.of(StackWalker.Option.SHOW_REFLECT_FRAMES), STACK_LIMIT);
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
    int mode = stackMode;
    Key key;
    if (mode == STACK_TRIAL_MODE) {
      int n = trialCaptures.getAndIncrement();
      boolean walk = (n & 1) == 1;
      long t0 = System.nanoTime();
      key = key(walk);
      timed(n, walk, System.nanoTime() - t0);
    } else {
      key = key(mode == STACK_WALKER);
    }
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

  /** Counts a timed capture of the trial; at its end keeps the method with the lower median. */
  private static void timed(int n, boolean walk, long nanos) {
    if (n < STACK_WARM) return;
    synchronized (LOCK) {
      int m = walk ? 1 : 0;
      if (stackMode != STACK_TRIAL_MODE || trialCount[m] == trialNanos[m].length) return;
      trialNanos[m][trialCount[m]++] = nanos;
      if (trialCount[0] < trialNanos[0].length || trialCount[1] < trialNanos[1].length) return;
      Arrays.sort(trialNanos[0]);
      Arrays.sort(trialNanos[1]);
      stackMode = trialNanos[1][trialNanos[1].length / 2] < trialNanos[0][trialNanos[0].length / 2] ? STACK_WALKER : STACK_THROWABLE;
      System.setProperty("sockscope.origins.stack", stackMode == STACK_WALKER ? "walker" : "throwable");
    }
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
   * has none, NOT_SOCKET when newFD was called for a file channel or a pipe. Taken with a Throwable or
   * StackWalker (see stackMode): both give the same frames in the same order (StackWalker with its
   * reflection frames, as a Throwable's trace has them), hence the same sites.
   */
  private static Key key(boolean walk) {
    if (walk) return stackWalker.walk(Recorder::walkedKey);
    StackTraceElement[] trace = new Throwable().getStackTrace();
    int depth = Math.min(trace.length, STACK_LIMIT);
    String[] classes = new String[depth];
    String[] methods = new String[depth];
    int[] lines = new int[depth];
    for (int i = 0; i < depth; i++) {
      StackTraceElement f = trace[i];
      classes[i] = f.getClassName();
      methods[i] = f.getMethodName();
      lines[i] = Math.max(f.getLineNumber(), 0);
    }
    return keyOf(classes, methods, lines, depth, trace);
  }

  private static Key walkedKey(java.util.stream.Stream<StackWalker.StackFrame> stack) {
    StackWalker.StackFrame[] frames = new StackWalker.StackFrame[STACK_LIMIT];
    String[] classes = new String[STACK_LIMIT];
    String[] methods = new String[STACK_LIMIT];
    int[] bcis = new int[STACK_LIMIT];
    int depth = 0;
    int program = 0;
    for (java.util.Iterator<StackWalker.StackFrame> it = stack.iterator(); depth < STACK_LIMIT && program < MAX_FRAMES && it.hasNext(); depth++) {
      StackWalker.StackFrame f = it.next();
      String cls = f.getClassName();
      frames[depth] = f;
      classes[depth] = cls;
      bcis[depth] = f.getByteCodeIndex();
      // A method's name costs the VM a lookup: only the program's frames need it, and IOUtil's (newFD).
      if (!runtime(cls)) {
        methods[depth] = f.getMethodName();
        program++;
      } else if (cls.equals("sun.nio.ch.IOUtil")) {
        methods[depth] = f.getMethodName();
      }
    }
    return keyOf(classes, methods, bcis, depth, frames);
  }

  /** The key of the program's frames among the first depth raw frames (its arrays made once, at their size: this runs for every socket). */
  private static Key keyOf(String[] rawClasses, String[] rawMethods, int[] rawPositions, int depth, Object frames) {
    int n = 0;
    int end = 0;
    for (; end < depth && n < MAX_FRAMES; end++) {
      String cls = rawClasses[end];
      // newFD's caller (newFD is below the recorder's own frames): the JDK's file channels and pipes make
      // their descriptors there too.
      if (end > 0 && end < 8 && "newFD".equals(rawMethods[end - 1]) && "sun.nio.ch.IOUtil".equals(rawClasses[end - 1])) {
        if (cls.startsWith("sun.nio.fs.") || cls.equals("sun.nio.ch.FileChannelImpl") || cls.equals("sun.nio.ch.PipeImpl")
            || cls.equals("sun.nio.ch.SourceChannelImpl") || cls.equals("sun.nio.ch.SinkChannelImpl")) return NOT_SOCKET;
      }
      if (!runtime(cls)) n++;
    }
    if (n == 0) return null;
    String[] classes = new String[n];
    String[] methods = new String[n];
    int[] positions = new int[n];
    for (int i = 0, k = 0; i < end; i++) {
      if (runtime(rawClasses[i])) continue;
      classes[k] = rawClasses[i];
      methods[k] = rawMethods[i];
      positions[k] = rawPositions[i];
      k++;
    }
    Key key = new Key(classes, methods, positions);
    key.frames = frames;
    return key;
  }

  /** The site's frames as the S line's JSON: [[file, line, "Class.method"], …], program frames only. */
  private static String framesJson(Key key) {
    StringBuilder json = new StringBuilder("[");
    Object frames = key.frames;
    int depth = frames instanceof StackTraceElement[] ? Math.min(((StackTraceElement[]) frames).length, STACK_LIMIT) : STACK_LIMIT;
    int n = 0;
    for (int i = 0; i < depth && n < key.positions.length; i++) {
      String cls;
      String method;
      String fileName;
      int line;
      if (frames instanceof StackTraceElement[]) {
        StackTraceElement f = ((StackTraceElement[]) frames)[i];
        cls = f.getClassName();
        method = f.getMethodName();
        fileName = f.getFileName();
        line = f.getLineNumber();
      } else {
        StackWalker.StackFrame f = ((StackWalker.StackFrame[]) frames)[i];
        if (f == null) break;
        cls = f.getClassName();
        method = f.getMethodName();
        fileName = f.getFileName();
        line = f.getLineNumber();
      }
      if (runtime(cls)) continue;
      n++;
      if (json.length() > 1) json.append(',');
      int dot = cls.lastIndexOf('.');
      String file = fileName == null ? null : (dot < 0 ? "" : cls.substring(0, dot).replace('.', '/') + "/") + fileName;
      json.append('[').append(quote(file)).append(',').append(Math.max(line, 0)).append(',').append(quote(cls + "." + method)).append(']');
    }
    return json.append(']').toString();
  }

  /**
   * The site of a stack, made (and queued for writing) the first time its frames are seen; -1 when the
   * table is full. Keys that name the same frames (two calls on one line) share the site.
   */
  private static int site(Key key) {
    Integer id = siteIds.get(key);
    if (id != null) return id;
    String json = framesJson(key);
    key.frames = null; // kept as the map's key: only its frames
    id = siteByFrames.get(json);
    if (id != null) {
      if (siteIds.size() < 4 * MAX_SITES) siteIds.put(key, id);
      return id;
    }
    if (siteLines.size() >= MAX_SITES) { dropped++; return -1; }
    int site = siteLines.size();
    String line = "S\t" + site + "\t" + json + "\n";
    siteLines.add(line);
    counts.add(new int[2]);
    siteIds.put(key, site);
    siteByFrames.put(json, site);
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
      s.append("O\t").append(r.fd).append('\t').append(r.inode).append('\t').append(r.site).append('\t').append(r.time).append('\t').append(r.tid).append('\n');
    }
    try {
      openFile(s.toString());
    } catch (java.io.IOException e) {
      on = false;
    }
  }
}
