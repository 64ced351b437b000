// The recording half of SockScope's Java socket-origins agent (see ../Agent.java), on the boot class
// path so that the JDK's own socket code can call it. For each new socket descriptor it records the
// Java stack (StackWalker; frames of the JDK's packages and of the agent are left out, so frame 0 is the
// innermost frame of the program: file as package path + source file name, `Class.method`, line), and
// each close, so that a reused descriptor is never attributed to an old stack.
//
// Output: <records dir>/<pid>.stream in the line format of src/core/origins/streamFile.ts (keep in
// step), preallocated to its cap ($SOCKSCOPE_ORIGINS_LOG_BYTES, 4 MiB) and mapped, so a record is a
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class Recorder {
  private Recorder() {}

  private static final int MAX_SITES = 4096;
  private static final int MAX_FRAMES = 8;
  private static final int STACK_LIMIT = 32;

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

  private static final Map<String, Integer> siteIds = new HashMap<>();
  private static final List<String> siteLines = new ArrayList<>();
  private static final List<int[]> counts = new ArrayList<>(); // {opens, closes}
  private static final Map<Integer, long[]> live = new HashMap<>(); // fd -> {inode, site, time}
  private static int dropped;
  private static final ThreadLocal<boolean[]> busy = ThreadLocal.withInitial(() -> new boolean[1]);
  private static final StackWalker walker = StackWalker.getInstance(java.util.Set.of(), 24); // one batch for most stacks

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

  /** Called by the JDK with every new descriptor (sun.nio.ch.IOUtil.newFD). */
  public static void created(int fd) {
    if (on) record(fd, false);
  }

  /** Called with a descriptor a socket takes (accepted, or made by newFD just before). */
  public static void adopted(FileDescriptor d) {
    if (on && d != null) record((int) fdInt.get(d), true);
  }

  /** Called before the JDK closes a socket descriptor. */
  public static void closing(FileDescriptor d) {
    if (!on || d == null) return;
    int fd = (int) fdInt.get(d);
    if (fd < 0) return;
    synchronized (Recorder.class) {
      long[] r = live.remove(fd);
      if (r == null) return;
      int site = (int) r[1];
      if (site >= 0) counts.get(site)[1]++;
      put("C\t" + fd + "\t" + site + "\n");
    }
  }

  private static void record(int fd, boolean adopted) {
    if (fd < 0) return;
    boolean[] b = busy.get();
    if (b[0]) return;
    b[0] = true;
    try {
      long inode = socketInode(fd);
      if (inode < 0) return;
      if (adopted) {
        synchronized (Recorder.class) {
          long[] known = live.get(fd);
          if (known != null && known[0] == inode) return;
        }
      }
      int site = site();
      long t = System.currentTimeMillis();
      synchronized (Recorder.class) {
        live.put(fd, new long[] { inode, site, t });
        if (site >= 0) counts.get(site)[0]++;
        put("O\t" + fd + "\t" + inode + "\t" + site + "\t" + t + "\t" + Thread.currentThread().getId() + "\n");
      }
    } catch (Throwable e) {
      // never fail the program's socket call for the recorder's sake
    } finally {
      b[0] = false;
    }
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

  private static int site() {
    List<StackWalker.StackFrame> frames = walker.walk(s -> {
      List<StackWalker.StackFrame> l = new ArrayList<>();
      s.limit(STACK_LIMIT).filter(f -> !runtime(f.getClassName())).limit(MAX_FRAMES).forEach(l::add);
      return l;
    });
    if (frames.isEmpty()) return -1;
    StringBuilder key = new StringBuilder();
    for (StackWalker.StackFrame f : frames) key.append(f.getClassName()).append('#').append(f.getMethodName()).append('#').append(f.getByteCodeIndex()).append('\n');
    String k = key.toString();
    synchronized (Recorder.class) {
      Integer id = siteIds.get(k);
      if (id != null) return id;
      if (siteLines.size() >= MAX_SITES) { dropped++; return -1; }
      StringBuilder json = new StringBuilder("[");
      for (StackWalker.StackFrame f : frames) {
        if (json.length() > 1) json.append(',');
        String cls = f.getClassName();
        int dot = cls.lastIndexOf('.');
        String file = f.getFileName() == null ? null : (dot < 0 ? "" : cls.substring(0, dot).replace('.', '/') + "/") + f.getFileName();
        json.append('[').append(quote(file)).append(',').append(Math.max(f.getLineNumber(), 0)).append(',').append(quote(cls + "." + f.getMethodName())).append(']');
      }
      json.append(']');
      int site = siteLines.size();
      String line = "S\t" + site + "\t" + json + "\n";
      siteLines.add(line);
      counts.add(new int[2]);
      siteIds.put(k, site);
      put(line);
      return site;
    }
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

  /** Appends a line (the caller holds the lock); a full file is rewritten from the state, which holds the line's event already. */
  private static void put(String line) {
    byte[] data = line.getBytes(StandardCharsets.UTF_8);
    if (out.position() + data.length <= size) {
      out.put(data);
      return;
    }
    StringBuilder s = new StringBuilder(header);
    for (String l : siteLines) s.append(l);
    Map<Integer, Integer> liveBySite = new HashMap<>();
    for (long[] r : live.values()) liveBySite.merge((int) r[1], 1, Integer::sum);
    for (int i = 0; i < siteLines.size(); i++) s.append("N\t").append(i).append('\t').append(counts.get(i)[0] - liveBySite.getOrDefault(i, 0)).append('\t').append(counts.get(i)[1]).append('\n');
    if (dropped > 0) s.append("D\t").append(dropped).append('\n');
    for (Map.Entry<Integer, long[]> e : live.entrySet()) {
      long[] r = e.getValue();
      s.append("O\t").append(e.getKey()).append('\t').append(r[0]).append('\t').append(r[1]).append('\t').append(r[2]).append('\t').append(pid).append('\n');
    }
    try {
      openFile(s.toString());
    } catch (java.io.IOException e) {
      on = false;
    }
  }
}
