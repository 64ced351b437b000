// SockScope's Java socket-origins agent (-javaagent, injected through JAVA_TOOL_OPTIONS by
// `sockscope run`; src/core/origins/inject.ts). No third-party library: it edits a few methods of the
// JDK's socket implementation (sun.nio.ch; the forms of JDK 17 and 25, see `HOOKS`) with Prologue, a
// four-byte call inserted at their entry into sockscope.origins.boot.Recorder, which sits on the boot
// class path (Boot-Class-Path: sockscope-origins-boot.jar) so that java.base can call it:
//   IOUtil.newFD(int)                           every new socket descriptor of Socket, ServerSocket,
//                                               SocketChannel, ServerSocketChannel, DatagramSocket/Channel
//   NioSocketImpl.closerFor(FileDescriptor[,…]) the socket ServerSocket.accept returns (and every
//                                               descriptor of a Socket, already known from newFD)
//   ServerSocketChannelImpl.finishAccept(FileDescriptor,…)  the channel ServerSocketChannel.accept returns
//   SocketDispatcher / DatagramDispatcher.close(FileDescriptor), or (JDK 25) their base class
//   UnixDispatcher.close                        every close of those
// java.base is made to read the boot class path's unnamed module and to open java.io (for the int
// inside a FileDescriptor) and sun.nio.fs (for fstat, the socket's inode) to it. A method that is missing or that the edit does not understand is left
// as it is; a group of hooks none of which this JDK has is named on stderr, and the rest still records.
package sockscope.origins;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class Agent {
  private Agent() {}

  private static final String RECORDER = "sockscope/origins/boot/Recorder";
  private static final String FD = "(Ljava/io/FileDescriptor;)V";

  /**
   * group, class, method, descriptor, load opcode, argument slot, Recorder method, its descriptor. A group
   * is one thing to see (a new descriptor, an accept, a close); its rows are the forms it takes in the
   * JDK versions verified (17 and 25); a group none of whose rows exists is reported.
   */
  private static final String[][] HOOKS = {
    { "new descriptors", "sun/nio/ch/IOUtil", "newFD", "(I)Ljava/io/FileDescriptor;", "iload", "0", "created", "(I)V" },
    { "ServerSocket.accept", "sun/nio/ch/NioSocketImpl", "closerFor", "(Ljava/io/FileDescriptor;Z)Ljava/lang/Runnable;", "aload", "0", "adopted", FD },
    { "ServerSocket.accept", "sun/nio/ch/NioSocketImpl", "closerFor", "(Ljava/io/FileDescriptor;)Ljava/lang/Runnable;", "aload", "0", "adopted", FD },
    { "ServerSocketChannel.accept", "sun/nio/ch/ServerSocketChannelImpl", "finishAccept", "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)Ljava/nio/channels/SocketChannel;", "aload", "1", "adopted", FD },
    { "close", "sun/nio/ch/SocketDispatcher", "close", FD, "aload", "1", "closing", FD },
    { "close", "sun/nio/ch/DatagramDispatcher", "close", FD, "aload", "1", "closing", FD },
    { "close", "sun/nio/ch/UnixDispatcher", "close", FD, "aload", "1", "closing", FD },
  };

  public static void premain(String args, Instrumentation inst) {
    try {
      install(inst);
    } catch (Throwable t) {
      System.err.println("sockscope-origins: " + t + "; origins not recorded");
    }
  }

  private static void install(Instrumentation inst) throws Exception {
    Class<?> recorder = Class.forName(RECORDER.replace('/', '.'), false, null);
    Module base = Object.class.getModule();
    inst.redefineModule(base, Set.of(recorder.getModule()), Map.of(), Map.of("java.io", Set.of(recorder.getModule()), "sun.nio.fs", Set.of(recorder.getModule())), Set.of(), Map.of());
    if (!Boolean.TRUE.equals(recorder.getMethod("start").invoke(null))) return;
    Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Class<?>> targets = new ArrayList<>();
    for (String[] h : HOOKS) {
      try {
        Class<?> c = Class.forName(h[1].replace('/', '.'), false, null);
        if (!targets.contains(c)) targets.add(c);
      } catch (ClassNotFoundException e) {
        // another JDK version's form of the hook
      }
    }
    ClassFileTransformer t = new ClassFileTransformer() {
      @Override
      public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (loader != null || redefined == null) return null;
        byte[] out = bytes;
        boolean any = false;
        for (String[] h : HOOKS) {
          if (!h[1].equals(name)) continue;
          byte[] edited = Prologue.insert(out, h[2], h[3], "iload".equals(h[4]) ? 0x15 : 0x19, Integer.parseInt(h[5]), RECORDER, h[6], h[7]);
          if (edited == null) continue;
          out = edited;
          any = true;
          done.add(h[0]);
        }
        return any ? out : null;
      }
    };
    inst.addTransformer(t, true);
    try {
      inst.retransformClasses(targets.toArray(new Class<?>[0]));
    } finally {
      inst.removeTransformer(t);
    }
    List<String> missing = new ArrayList<>();
    for (String[] h : HOOKS) if (!done.contains(h[0]) && !missing.contains(h[0])) missing.add(h[0]);
    if (!missing.isEmpty()) System.err.println("sockscope-origins: this JDK's " + String.join(", ", missing) + " not recognised: not recorded");
  }
}
