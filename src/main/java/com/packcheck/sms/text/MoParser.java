package com.packcheck.sms.text;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Turns a decoded MO text into a command: a leading keyword (any case, accents optional) or a bare code. */
public final class MoParser {
  public static final int MAX_LENGTH = 1000;

  private enum Keyword { CHECK, HELP, STOP, YES, REPORT }

  private record Meaning(Keyword keyword, String language) {
  }

  /** A null language means the parser's default: the English keywords are the universal ones. */
  private static final Map<String, Meaning> KEYWORDS = Map.ofEntries(
      Map.entry("CHECK", new Meaning(Keyword.CHECK, null)),
      Map.entry("VERIFY", new Meaning(Keyword.CHECK, null)),
      Map.entry("VERIFIER", new Meaning(Keyword.CHECK, "fr")),
      Map.entry("HELP", new Meaning(Keyword.HELP, null)),
      Map.entry("AIDE", new Meaning(Keyword.HELP, "fr")),
      Map.entry("STOP", new Meaning(Keyword.STOP, null)),
      Map.entry("ARRET", new Meaning(Keyword.STOP, "fr")),
      Map.entry("YES", new Meaning(Keyword.YES, null)),
      Map.entry("OUI", new Meaning(Keyword.YES, "fr")),
      Map.entry("REPORT", new Meaning(Keyword.REPORT, null)),
      Map.entry("SIGNALER", new Meaning(Keyword.REPORT, "fr")));

  private static final Map<String, String> LANGUAGES = Map.of("EN", "en", "FR", "fr");

  private final String defaultLanguage;

  /** @param defaultLanguage the language of the SMSC's country, "en" or "fr" */
  public MoParser(String defaultLanguage) {
    this.defaultLanguage = defaultLanguage;
  }

  public MoText parse(String text) {
    if (text == null) {
      return new MoText.Empty();
    }
    if (text.length() > MAX_LENGTH) {
      return new MoText.Unreadable();
    }
    String clean = clean(text);
    if (clean.isEmpty()) {
      return new MoText.Empty();
    }
    String[] first = splitFirst(clean);
    String language = LANGUAGES.get(fold(first[0]));
    if (language == null) {
      return command(clean, defaultLanguage);
    }
    // A language keyword alone asks for help in that language; before anything else it sets the language.
    return first[1].isEmpty() ? new MoText.Help(language) : command(first[1], language);
  }

  private static MoText command(String text, String language) {
    String[] first = splitFirst(text);
    Meaning meaning = KEYWORDS.get(fold(first[0]));
    if (meaning == null) {
      return new MoText.Check(text, language);
    }
    String lang = meaning.language() == null ? language : meaning.language();
    String rest = first[1];
    return switch (meaning.keyword()) {
      case CHECK -> rest.isEmpty() ? new MoText.Help(lang) : new MoText.Check(rest, lang);
      case HELP -> new MoText.Help(lang);
      case STOP -> new MoText.Stop(lang);
      case YES -> new MoText.Yes(lang);
      case REPORT -> new MoText.Report(rest.isEmpty() ? Optional.empty() : Optional.of(rest), lang);
    };
  }

  /** Whitespace of any kind to one space, zero-width and control characters dropped, trimmed. */
  private static String clean(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        space = out.length() > 0;
        continue;
      }
      int type = Character.getType(cp);
      if (type == Character.CONTROL || type == Character.FORMAT) {
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      out.appendCodePoint(cp);
    }
    return out.toString();
  }

  /** The first word (up to a space or ':') and the rest, trimmed. */
  private static String[] splitFirst(String text) {
    int end = 0;
    while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != ':') {
      end++;
    }
    return new String[] {text.substring(0, end), text.substring(end).replaceFirst("^[ :]+", "")};
  }

  /** Upper case without accents, so VÉRIFIER, Verifier and ARRÊT match their keywords. */
  private static String fold(String word) {
    return Normalizer.normalize(word, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toUpperCase(Locale.ROOT);
  }
}
