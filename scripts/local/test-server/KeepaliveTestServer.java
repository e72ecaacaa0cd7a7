import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal time-skipping test server, started like io.temporal.testserver.TestServer
 * (`<port> [--enable-time-skipping]`) but with the keepalive policy of a real Temporal frontend.
 *
 * The stock launcher keeps grpc-java's defaults: a client may ping at most once per 5 minutes,
 * and not at all without an open call; the third early ping on a connection the server has not
 * written to is answered with GOAWAY "too_many_pings", and the connection is closed with the calls
 * open on it. The SDK's client connection (@temporalio/client, grpc-js) pings every 30 s with or
 * without calls, as the real frontend permits. So any call that waited 90 s (a result, a time
 * skip, a long poll on a loaded machine) was cut, and the client's retry then sent it again: a cut
 * `UnlockTimeSkippingWithSleep` skipped the time a second time.
 */
public final class KeepaliveTestServer {
  /** What the Temporal frontend permits (frontend.keepAliveMinTime, keepAlivePermitWithoutStream). */
  private static final long PERMIT_KEEPALIVE_SECONDS = 10;

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2 || (args.length == 2 && !"--enable-time-skipping".equalsIgnoreCase(args[1]))) {
      System.err.println("Usage: KeepaliveTestServer <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean lockTimeSkipping = args.length < 2;
    TestServicesStarter services = new TestServicesStarter(lockTimeSkipping, 0);
    NettyServerBuilder builder = NettyServerBuilder.forPort(port, InsecureServerCredentials.create())
        .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    // Exit with the process that started this server (a test run), however that process ends, so
    // a start the SDK gave up on or a test process that crashed leaves no server behind.
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
