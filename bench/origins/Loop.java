// The Java connect/accept/close loop of `npm run bench:origins` (scripts/bench-origins.mjs), the
// equivalent of loop.c: ITERATIONS times a client Socket connects to a loopback ServerSocket, the server
// accepts, both close (the client with linger 0, so that back-to-back runs do not run out of ports in
// TIME_WAIT). Prints the loop's elapsed and CPU seconds, the process's CPU seconds so far, its peak
// resident memory (kB) and the heap still in use after a full GC (kB: what is kept, where the peak is
// mostly garbage the heap grew for) as one JSON line.
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

public class Loop {
  static long peakKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return -1;
  }

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
    ServerSocket listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long t0 = System.nanoTime();
    long c0 = os.getProcessCpuTime();
    for (int i = 0; i < iterations; i++) {
      Socket c = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      Socket a = listener.accept();
      c.setSoLinger(true, 0);
      a.close();
      c.close();
    }
    long c1 = os.getProcessCpuTime();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long peak = peakKb();
    System.gc();
    System.gc();
    long liveHeapKb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
    System.out.println("{\"seconds\":" + seconds + ",\"cpuSeconds\":" + (c1 - c0) / 1e9 + ",\"processCpuSeconds\":" + c1 / 1e9 + ",\"peakKb\":" + peak + ",\"liveHeapKb\":" + liveHeapKb + "}");
  }
}
