package com.packcheck.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterInputStream;

/**
 * Gzip-compresses a stream as it is read (a pull, not a push like {@code GZIPOutputStream}), so the
 * HTTP client can draw the body at its own pace without a second thread or a buffer of the file.
 * Gzip is a fixed header, raw deflate data and a trailer of the plain data's CRC-32 and length (RFC 1952).
 */
final class GzipOnTheFly extends InputStream {
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final CRC32 crc = new CRC32();
  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
  private final CheckedInputStream plain;
  private final InputStream gzip;

  GzipOnTheFly(InputStream plain) {
    this.plain = new CheckedInputStream(plain, crc);
    Iterator<Supplier<InputStream>> parts = List.<Supplier<InputStream>>of(
        () -> new ByteArrayInputStream(HEADER),
        () -> new DeflaterInputStream(this.plain, deflater, 1 << 16),
        // Built only once the deflate part is drained: the CRC and length are known by then.
        this::trailer).iterator();
    this.gzip = new SequenceInputStream(new Enumeration<>() {
      @Override
      public boolean hasMoreElements() {
        return parts.hasNext();
      }

      @Override
      public InputStream nextElement() {
        return parts.next().get();
      }
    });
  }

  private InputStream trailer() {
    long crc32 = crc.getValue();
    long length = deflater.getBytesRead();
    byte[] t = new byte[8];
    for (int i = 0; i < 4; i++) {
      t[i] = (byte) (crc32 >>> (8 * i));
      t[4 + i] = (byte) (length >>> (8 * i)); // ISIZE is the length modulo 2^32
    }
    return new ByteArrayInputStream(t);
  }

  @Override
  public int read() throws IOException {
    return gzip.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return gzip.read(b, off, len);
  }

  @Override
  public void close() throws IOException {
    try {
      plain.close();
    } finally {
      deflater.end();
    }
  }
}
