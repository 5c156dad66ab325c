package com.packcheck.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Refuses a (decoded) upload past its limit with 413: a gzip bomb or a 20 GB file stops here. */
final class LimitedInputStream extends FilterInputStream {
  private final long limit;
  private long read;

  LimitedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      read += n;
      if (read > limit) {
        throw tooLarge(limit);
      }
    }
    return n;
  }

  static ApiException tooLarge(long limit) {
    return new ApiException(413, "upload_too_large", "an upload may hold at most " + limit
        + " bytes of codes once decompressed; split it into several uploads (each is all-or-nothing)");
  }
}
