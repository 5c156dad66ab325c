package com.packcheck.sms.smpp;

/**
 * What PackCheck needs from one deliver_sm: an MO from a shopper, or a delivery receipt. Text is left
 * undecoded: what data_coding 0 means depends on the SMSC ({@link SmscConfig#defaultAlphabet()}).
 *
 * @param smsc               name of the SMSC it came from
 * @param esmClass           esm_class; tells receipts from MOs and flags a UDH (0x40)
 * @param shortMessage       short_message, empty when the text travels in message_payload
 * @param messagePayload     message_payload TLV, or null
 * @param sar                SAR TLVs of a segment of a longer message, or null
 * @param receiptedMessageId receipted_message_id TLV (the submit_sm_resp message id), or null
 * @param messageState       message_state TLV, or null
 */
public record InboundPdu(
    String smsc,
    String sourceAddress,
    byte sourceTon,
    byte sourceNpi,
    String destinationAddress,
    byte esmClass,
    byte dataCoding,
    byte[] shortMessage,
    byte[] messagePayload,
    Sar sar,
    String receiptedMessageId,
    Integer messageState) {

  /** esm_class message-type bits: SMSC delivery receipt 0x04, SME acks 0x08/0x10, intermediate 0x20. */
  private static final int RECEIPT_TYPES = 0x04 | 0x08 | 0x10 | 0x20;

  /** One segment of a concatenated message as the SAR TLVs describe it. */
  public record Sar(int refNum, int totalSegments, int segmentSeqnum) {}

  /**
   * Receipts are told by esm_class alone: a receipt's text is free-form and may look like a code,
   * and a shopper's MO may look like a receipt.
   */
  public boolean isDeliveryReceipt() {
    return (esmClass & RECEIPT_TYPES) != 0;
  }

  /** The message body: message_payload when the SMSC used it, else short_message. */
  public byte[] body() {
    return messagePayload != null ? messagePayload : shortMessage;
  }
}
