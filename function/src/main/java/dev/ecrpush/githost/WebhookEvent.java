package dev.ecrpush.githost;

import java.util.List;

/** What a verified delivery is about. Only pushes can start builds. */
public sealed interface WebhookEvent {
    /** The provider's name for the event, as its header gave it (e.g. {@code push}, {@code Tag Push Hook}). */
    String name();

    /** A push: one ref per change (Bitbucket may report several refs in one delivery). */
    record Pushes(String name, List<Push> pushes) implements WebhookEvent {
        public Pushes {
            pushes = List.copyOf(pushes);
        }
    }

    /** The host checking that the webhook works. */
    record Ping(String name) implements WebhookEvent {
    }

    /** Any event this function does not build for, with why. */
    record Ignored(String name, String reason) implements WebhookEvent {
    }
}
