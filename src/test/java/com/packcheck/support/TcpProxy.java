package com.packcheck.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy the test controls, to fail the link to a server without touching the server: cut every
 * connection and refuse new ones, keep forwarding requests while swallowing every reply (a lost
 * COMMIT acknowledgement), or hang: take connections and bytes and pass nothing on either way.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean swallowReplies;
  private volatile boolean hung;

  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this(0, targetHost, targetPort);
  }

  /** A proxy on {@code listenPort} (0: any free port). */
  public TcpProxy(int listenPort, String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Closes every open connection and refuses new ones until {@link #heal()}. */
  public void cut() {
    cut = true;
    sockets.forEach(TcpProxy::closeQuietly);
  }

  /** Forwards what the client sends but drops everything the server answers. */
  public void swallowReplies() {
    swallowReplies = true;
  }

  /** A hung server: connections are taken and what the client sends is read, but nothing goes either way. */
  public void hang() {
    hung = true;
  }

  public void heal() {
    cut = false;
    swallowReplies = false;
    hung = false;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (cut) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, false);
        pump(upstream, client, true);
      } catch (IOException e) {
        // the proxy is closing, or the target refused: the client sees a closed connection
      }
    }
  }

  private void pump(Socket from, Socket to, boolean replies) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (cut) {
            break;
          }
          if (hung || replies && swallowReplies) {
            continue;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(TcpProxy::closeQuietly);
  }
}
