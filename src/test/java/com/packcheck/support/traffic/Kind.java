package com.packcheck.support.traffic;

/** A batch's kind: what its codes answer, whatever their state. */
public enum Kind { ACTIVE, DRAFT, RECALLED, EXPIRED, EXPIRES_AT_BOUNDARY }
