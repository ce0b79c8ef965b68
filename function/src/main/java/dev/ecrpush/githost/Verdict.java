package dev.ecrpush.githost;

/** Whether a delivery is authentic. A refusal says what was wrong, never what was expected. */
public sealed interface Verdict {
    /**
     * @param by       the header that proved it, e.g. {@code X-Hub-Signature-256}
     * @param delivery the delivery's identity, made from what that proof covers ({@link DeliveryId})
     */
    record Accepted(String by, DeliveryId delivery) implements Verdict {
        public Accepted {
            if (by == null || delivery == null) {
                throw new IllegalArgumentException("an accepted delivery names its proof and its identity");
            }
        }
    }

    record Refused(String reason) implements Verdict {
    }
}
