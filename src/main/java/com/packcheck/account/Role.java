package com.packcheck.account;

public enum Role {
  ADMIN, MANUFACTURER, PHARMACY
}
