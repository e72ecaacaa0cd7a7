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
 * and never while it has no call open; the third early ping on a connection the server has not
 * written to is answered with GOAWAY "too_many_pings" and the connection is closed together with
 * the calls open on it. Temporal's SDK clients (grpc-js in @temporalio/client, the Rust core
 * under the worker) ping every 30 s, with or without calls, as the real frontend permits. So any
 * connection quiet for 90 s (a long poll, a slow result, a busy machine) was cut, and a call cut
 * after the server had acted on it was retried by the client: a second `lockTimeSkipping` left
 * time skipping locked, and the next `env.sleep('7 days')` waited seven real days.
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
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
