package com.packcheck.sms.text;

import com.packcheck.check.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reply texts per language from {@code sms/templates_<language>.properties}, optionally overridden per
 * manufacturer. Every template is checked when loaded: with the longest values we allow (product 40
 * characters, lot 20, reference 8, the longest date) it must still be one GSM-7 message. That is why
 * the French texts avoid â ê î ô û ç and À, which GSM-7 lacks (é è à ù É are fine).
 */
public final class Templates {
  public static final List<String> LANGUAGES = List.of("en", "fr");
  public static final int MAX_PRODUCT = 40;
  public static final int MAX_LOT = 20;
  public static final int MAX_REF = 8;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
  private static final String MONTHS = "months";
  private static final String UNKNOWN_DATE = "date.unknown";

  private record Language(String code, Map<Reply, String> texts, List<String> months, String unknownDate) {
  }

  private final Map<String, Language> languages;

  private Templates(Map<String, Language> languages) {
    this.languages = languages;
  }

  /** The shipped templates; throws IllegalStateException if one is missing or does not fit. */
  public static Templates load() {
    Map<String, Language> languages = new HashMap<>();
    for (String code : LANGUAGES) {
      Properties p = resource("sms/templates_" + code + ".properties");
      Map<Reply, String> texts = new EnumMap<>(Reply.class);
      for (Reply reply : Reply.values()) {
        String text = p.getProperty(reply.key);
        if (text == null) {
          throw new IllegalStateException("template " + code + "." + reply.key + " is missing");
        }
        texts.put(reply, text.strip());
      }
      List<String> months = Arrays.stream(p.getProperty(MONTHS, "").split(",")).map(String::strip).toList();
      if (months.size() != 12) {
        throw new IllegalStateException("templates " + code + ": " + MONTHS + " needs 12 names, has " + months.size());
      }
      languages.put(code, new Language(code, texts, months, p.getProperty(UNKNOWN_DATE, "?").strip()));
    }
    return validated(languages);
  }

  /**
   * These templates with a manufacturer's own wording: keys such as {@code fr.genuine_first}. Checked
   * like the shipped ones; an unknown key, a placeholder the reply lacks or a text that does not fit
   * throws IllegalStateException.
   */
  public Templates withOverrides(Map<String, String> overrides) {
    Map<String, Language> copy = new HashMap<>();
    languages.forEach((code, l) -> copy.put(code, new Language(code, new EnumMap<>(l.texts()), l.months(), l.unknownDate())));
    overrides.forEach((key, text) -> {
      int dot = key.indexOf('.');
      Language l = dot < 0 ? null : copy.get(key.substring(0, dot));
      Reply reply = l == null ? null : replyNamed(key.substring(dot + 1));
      if (reply == null) {
        throw new IllegalStateException("template override " + key + " names no language and reply");
      }
      l.texts().put(reply, text.strip());
    });
    return validated(copy);
  }

  public String render(String language, Answer answer) {
    return render(language, Reply.of(answer), ReplyValues.of(answer));
  }

  /**
   * The reply text in that language (English when the language is unknown or null).
   *
   * @throws IllegalArgumentException if a value the template uses is null
   */
  public String render(String language, Reply reply, ReplyValues v) {
    Language l = languages.getOrDefault(language(language), languages.get("en"));
    Map<Field, String> values = new EnumMap<>(Field.class);
    put(values, Field.PRODUCT, v.product() == null ? null : fit(v.product(), MAX_PRODUCT));
    put(values, Field.LOT, v.lot() == null ? null : fit(v.lot(), MAX_LOT));
    put(values, Field.EXPIRY, v.expiry() == null ? null : day(l, v.expiry()));
    put(values, Field.REF, v.ref());
    // A used code always has a first time; should it be missing, say so rather than fail the reply.
    put(values, Field.DATE, v.date() == null ? l.unknownDate() : day(l, v.date()));
    put(values, Field.DISPENSED, v.dispensed() == null ? null : day(l, v.dispensed()));
    return fill(l.texts().get(reply), reply, values);
  }

  /** "fr", "FR", "fr-CI" → "fr"; null → "en". */
  public static String language(String tag) {
    if (tag == null) {
      return "en";
    }
    String primary = tag.split("[-_]", 2)[0].toLowerCase(Locale.ROOT);
    return LANGUAGES.contains(primary) ? primary : "en";
  }

  private static void put(Map<Field, String> values, Field field, String value) {
    if (value != null) {
      values.put(field, value);
    }
  }

  private static String fill(String template, Reply reply, Map<Field, String> values) {
    String text = template;
    for (Field field : Field.values()) {
      if (reply.allows(field) && text.contains(field.placeholder)) {
        String value = values.get(field);
        if (value == null) {
          throw new IllegalArgumentException(reply.key + " needs a value for " + field.placeholder);
        }
        text = text.replace(field.placeholder, value);
      }
    }
    return text;
  }

  /** UTC day in the language's month names: 30 Jun 2028, 30 juin 2028. */
  private static String day(Language l, OffsetDateTime time) {
    return day(l, time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
  }

  private static String day(Language l, LocalDate date) {
    return date.getDayOfMonth() + " " + l.months().get(date.getMonthValue() - 1) + " " + date.getYear();
  }

  /**
   * Names come from manufacturers: cut to the length the templates were validated for, and accents
   * GSM-7 lacks dropped (ô → o) when that keeps the reply in GSM-7; other scripts stay as they are
   * and the reply goes out as UCS-2.
   */
  static String fit(String value, int max) {
    String s = value.strip();
    if (s.codePointCount(0, s.length()) > max) {
      s = s.substring(0, s.offsetByCodePoints(0, max));
    }
    if (Gsm7.length(s) >= 0) {
      return s;
    }
    StringBuilder folded = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      folded.append(Gsm7.septets(c) > 0 ? String.valueOf(c)
          : Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD).replaceAll("\\p{M}", ""));
    }
    return Gsm7.length(folded) >= 0 ? folded.toString() : s;
  }

  private static Templates validated(Map<String, Language> languages) {
    for (Language l : languages.values()) {
      for (String month : l.months()) {
        requireGsm7(l.code() + "." + MONTHS, month);
      }
      requireGsm7(l.code() + "." + UNKNOWN_DATE, l.unknownDate());
      Map<Field, String> longest = longestValues(l);
      for (Map.Entry<Reply, String> e : l.texts().entrySet()) {
        String name = l.code() + "." + e.getKey().key;
        Matcher m = PLACEHOLDER.matcher(e.getValue());
        while (m.find()) {
          Field field = fieldNamed(m.group(1));
          if (field == null || !e.getKey().allows(field)) {
            throw new IllegalStateException("template " + name + " uses " + m.group() + ", which it has no value for");
          }
        }
        String rendered = fill(e.getValue(), e.getKey(), longest);
        requireGsm7(name, rendered);
        int septets = Gsm7.length(rendered);
        if (septets > ReplyEncoder.GSM7_SINGLE) {
          throw new IllegalStateException("template " + name + " is " + septets + " GSM-7 characters long with the"
              + " longest values; one SMS holds " + ReplyEncoder.GSM7_SINGLE + ": " + rendered);
        }
      }
    }
    return new Templates(Map.copyOf(languages));
  }

  /** Worst realistic values: the longest names we pass, the longest date in this language. */
  private static Map<Field, String> longestValues(Language l) {
    String longestDay = "";
    for (int month = 1; month <= 12; month++) {
      String d = day(l, LocalDate.of(2028, month, 30 - (month == 2 ? 2 : 0)));
      longestDay = Gsm7.length(d) > Gsm7.length(longestDay) ? d : longestDay;
    }
    String longestDate = Gsm7.length(l.unknownDate()) > Gsm7.length(longestDay) ? l.unknownDate() : longestDay;
    Map<Field, String> values = new EnumMap<>(Field.class);
    values.put(Field.PRODUCT, "P".repeat(MAX_PRODUCT));
    values.put(Field.LOT, "L".repeat(MAX_LOT));
    values.put(Field.REF, "R".repeat(MAX_REF));
    values.put(Field.EXPIRY, longestDay);
    values.put(Field.DISPENSED, longestDay);
    values.put(Field.DATE, longestDate);
    return values;
  }

  private static void requireGsm7(String name, String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Gsm7.septets(text.charAt(i)) == 0) {
        throw new IllegalStateException("template " + name + " has '" + text.charAt(i) + "', which GSM-7 lacks");
      }
    }
  }

  private static Reply replyNamed(String key) {
    return Arrays.stream(Reply.values()).filter(r -> r.key.equals(key)).findFirst().orElse(null);
  }

  private static Field fieldNamed(String name) {
    return Arrays.stream(Field.values()).filter(f -> f.placeholder.equals("{" + name + "}")).findFirst().orElse(null);
  }

  private static Properties resource(String path) {
    try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no " + path + " on the classpath");
      }
      Properties p = new Properties();
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
