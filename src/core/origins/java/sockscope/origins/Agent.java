// SockScope's Java socket-origins agent (-javaagent, injected through JAVA_TOOL_OPTIONS by
// `sockscope run`; src/core/origins/inject.ts). No third-party library: it edits five methods of the
// JDK's socket implementation (sun.nio.ch, JDK 17 and later as verified; see `HOOKS`) with Prologue, a
// four-byte call inserted at their entry into sockscope.origins.boot.Recorder, which sits on the boot
// class path (Boot-Class-Path: sockscope-origins-boot.jar) so that java.base can call it:
//   IOUtil.newFD(int)                           every new socket descriptor of Socket, ServerSocket,
//                                               SocketChannel, ServerSocketChannel, DatagramSocket/Channel
//   NioSocketImpl.closerFor(FileDescriptor,…)   the socket ServerSocket.accept returns (and every
//                                               descriptor of a Socket, already known from newFD)
//   ServerSocketChannelImpl.finishAccept(FileDescriptor,…)  the channel ServerSocketChannel.accept returns
//   SocketDispatcher.close / DatagramDispatcher.close(FileDescriptor)  every close of those
// java.base is made to read the boot class path's unnamed module and to open java.io (for the int
// inside a FileDescriptor) and sun.nio.fs (for fstat, the socket's inode) to it. A method that is missing or that the edit does not understand is left
// as it is, and the agent says which on stderr: the rest still records.
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

  /** class, method, descriptor, load opcode, argument slot, Recorder method, its descriptor. */
  private static final String[][] HOOKS = {
    { "sun/nio/ch/IOUtil", "newFD", "(I)Ljava/io/FileDescriptor;", "iload", "0", "created", "(I)V" },
    { "sun/nio/ch/NioSocketImpl", "closerFor", "(Ljava/io/FileDescriptor;Z)Ljava/lang/Runnable;", "aload", "0", "adopted", FD },
    { "sun/nio/ch/ServerSocketChannelImpl", "finishAccept", "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)Ljava/nio/channels/SocketChannel;", "aload", "1", "adopted", FD },
    { "sun/nio/ch/SocketDispatcher", "close", FD, "aload", "1", "closing", FD },
    { "sun/nio/ch/DatagramDispatcher", "close", FD, "aload", "1", "closing", FD },
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
    List<String> failed = new ArrayList<>();
    List<Class<?>> targets = new ArrayList<>();
    for (String[] h : HOOKS) {
      try {
        targets.add(Class.forName(h[0].replace('/', '.'), false, null));
      } catch (ClassNotFoundException e) {
        failed.add(h[0] + "." + h[1]);
      }
    }
    ClassFileTransformer t = new ClassFileTransformer() {
      @Override
      public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (loader != null || redefined == null) return null;
        byte[] out = bytes;
        boolean any = false;
        for (String[] h : HOOKS) {
          if (!h[0].equals(name)) continue;
          byte[] edited = Prologue.insert(out, h[1], h[2], "iload".equals(h[3]) ? 0x15 : 0x19, Integer.parseInt(h[4]), RECORDER, h[5], h[6]);
          if (edited == null) { synchronized (failed) { failed.add(h[0] + "." + h[1]); } continue; }
          out = edited;
          any = true;
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
    if (!failed.isEmpty()) System.err.println("sockscope-origins: not recorded through " + String.join(", ", failed) + " (unknown in this JDK)");
  }
}
