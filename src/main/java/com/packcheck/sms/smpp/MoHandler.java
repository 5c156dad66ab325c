package com.packcheck.sms.smpp;

/** Takes each deliver_sm (MO or delivery receipt) and says what deliver_sm_resp answers. */
@FunctionalInterface
public interface MoHandler {

  /** The message is committed: the SMSC may forget it. */
  int OK = 0x00;

  /** ESME_RX_T_APPN: not taken this time; the SMSC delivers it again later. */
  int RETRY_LATER = 0x64;

  /**
   * Called on one of jSMPP's PDU-processor threads, so it may block, but only within the MO budget
   * (default 2 s): the SMSC's own response timer keeps running. Throwing counts as {@link #RETRY_LATER}.
   *
   * @return the command_status of the deliver_sm_resp
   */
  int onMo(InboundPdu pdu);
}
