package com.packcheck.check;

import com.packcheck.codecache.CodeState;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * What PostgreSQL decided for one check; the same for the original answer and its idempotent replays.
 * {@code codeState} is the code's committed state afterwards (null for unknown codes),
 * written back to Redis; {@code manufacturerId} owns the code's batch (null for unknown codes).
 */
public record Answer(
    Outcome outcome,
    boolean firstCheck,
    OffsetDateTime firstVerifiedAt,
    OffsetDateTime dispensedAt,
    String productName,
    String gtin,
    String lot,
    LocalDate expiry,
    String reference,
    CodeState codeState,
    Long manufacturerId) {
}
