package com.packcheck.sms.smpp;

import java.nio.charset.StandardCharsets;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter.Tag;
import org.jsmpp.bean.OptionalParameter;

/** Turns jSMPP's deliver_sm into an {@link InboundPdu}, so nothing above the link sees jSMPP types. */
final class DeliverSmReader {
  private DeliverSmReader() {}

  static InboundPdu read(String smsc, DeliverSm pdu) {
    return new InboundPdu(
        smsc,
        pdu.getSourceAddr(),
        pdu.getSourceAddrTon(),
        pdu.getSourceAddrNpi(),
        pdu.getDestAddress(),
        pdu.getEsmClass(),
        pdu.getDataCoding(),
        pdu.getShortMessage() == null ? new byte[0] : pdu.getShortMessage(),
        octets(pdu, Tag.MESSAGE_PAYLOAD),
        sar(pdu),
        receiptedMessageId(pdu),
        unsigned(pdu, Tag.MESSAGE_STATE));
  }

  private static InboundPdu.Sar sar(DeliverSm pdu) {
    Integer ref = unsigned(pdu, Tag.SAR_MSG_REF_NUM);
    Integer total = unsigned(pdu, Tag.SAR_TOTAL_SEGMENTS);
    Integer seq = unsigned(pdu, Tag.SAR_SEGMENT_SEQNUM);
    // the three only mean something together
    return ref == null || total == null || seq == null ? null : new InboundPdu.Sar(ref, total, seq);
  }

  /** A C-octet string; read by hand because jSMPP drops the last byte even when the NUL is missing. */
  private static String receiptedMessageId(DeliverSm pdu) {
    byte[] value = octets(pdu, Tag.RECEIPTED_MESSAGE_ID);
    if (value == null) {
      return null;
    }
    int end = value.length;
    while (end > 0 && value[end - 1] == 0) {
      end--;
    }
    return new String(value, 0, end, StandardCharsets.US_ASCII);
  }

  private static byte[] octets(DeliverSm pdu, Tag tag) {
    return pdu.getOptionalParameter(tag) instanceof OptionalParameter.OctetString o ? o.getValue() : null;
  }

  private static Integer unsigned(DeliverSm pdu, Tag tag) {
    OptionalParameter p = pdu.getOptionalParameter(tag);
    if (p instanceof OptionalParameter.Byte b) {
      return Byte.toUnsignedInt(b.getValue());
    }
    if (p instanceof OptionalParameter.Short s) {
      return Short.toUnsignedInt(s.getValue());
    }
    return null;
  }
}
