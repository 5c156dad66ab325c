package com.packcheck.batch;

import java.sql.SQLException;
import org.postgresql.copy.CopyIn;

/** Rows for PostgreSQL's binary COPY, buffered into large writes: how codes reach PostgreSQL in bulk. */
final class CopyWriter {
  private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
      0, 0, 0, 0, 0, 0, 0, 0};

  private final CopyIn copy;
  private final byte[] buf = new byte[1 << 16];
  private int pos;

  CopyWriter(CopyIn copy) {
    System.arraycopy(HEADER, 0, buf, 0, HEADER.length);
    this.copy = copy;
    this.pos = HEADER.length;
  }

  /** Starts a row of {@code fields} fields; each field is then written by one call below. */
  CopyWriter row(int fields) throws SQLException {
    // a row of the widest fields written here: a 32-byte hash and a few numbers
    ensure(256);
    putShort(fields);
    return this;
  }

  CopyWriter bytes(byte[] value) {
    putInt(value.length);
    System.arraycopy(value, 0, buf, pos, value.length);
    pos += value.length;
    return this;
  }

  CopyWriter int2(int value) {
    putInt(2);
    putShort(value);
    return this;
  }

  CopyWriter int4(int value) {
    putInt(4);
    putInt(value);
    return this;
  }

  CopyWriter int8(long value) {
    putInt(8);
    putInt((int) (value >>> 32));
    putInt((int) value);
    return this;
  }

  /** Writes the trailer and ends the COPY; returns the rows PostgreSQL took. */
  long end() throws SQLException {
    ensure(2);
    putShort(-1);
    copy.writeToCopy(buf, 0, pos);
    pos = 0;
    return copy.endCopy();
  }

  private void ensure(int n) throws SQLException {
    if (pos + n > buf.length) {
      copy.writeToCopy(buf, 0, pos);
      pos = 0;
    }
  }

  private void putShort(int v) {
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putInt(int v) {
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }
}
