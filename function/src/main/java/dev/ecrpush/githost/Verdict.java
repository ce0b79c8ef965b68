package dev.ecrpush.githost;

/** Whether a delivery is authentic. A refusal says what was wrong, never what was expected. */
public sealed interface Verdict {
    /** @param by the header that proved it, e.g. {@code X-Hub-Signature-256} */
    record Accepted(String by) implements Verdict {
    }

    record Refused(String reason) implements Verdict {
    }
}
