package com.packcheck.sms.smpp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import org.jsmpp.session.connection.socket.SocketConnection;

/**
 * A socket connection that reports end-of-stream a moment late.
 *
 * <p>Many SMSCs close the connection right after a refused bind_resp. jSMPP reads the bind_resp,
 * hands it to a PDU-processor thread and reads on; the reader sees EOF and closes the session first,
 * and a closed session drops the bind_resp, so the bind waits out its whole timeout and the refusal
 * (a wrong password, say) is never seen. The pause lets the processor thread handle what came before EOF.
 */
final class LingeringConnection extends SocketConnection {
  private static final long EOF_PAUSE_MS = 250;

  private final InputStream in;

  LingeringConnection(Socket socket) throws IOException {
    super(socket);
    this.in = new FilterInputStream(super.getInputStream()) {
      @Override
      public int read() throws IOException {
        return pauseAtEnd(super.read());
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return pauseAtEnd(super.read(b, off, len));
      }
    };
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  private static int pauseAtEnd(int read) {
    if (read == -1) {
      try {
        Thread.sleep(EOF_PAUSE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return read;
  }
}
