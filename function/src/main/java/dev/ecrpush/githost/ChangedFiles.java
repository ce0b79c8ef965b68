package dev.ecrpush.githost;

import java.util.List;

/**
 * The files a push changed, as far as its event tells: the added, modified and removed paths of every commit it
 * lists, or why they cannot be known from the event alone (the host cut the list short, or lists no files).
 * A trigger's {@code paths} filter builds when they are unknown: skipping a build that was needed is the worse
 * mistake.
 */
public sealed interface ChangedFiles {
    /** Every path the listed commits added, modified or removed, each once, in the order first seen. */
    record Listed(List<String> paths) implements ChangedFiles {
        public Listed {
            paths = List.copyOf(paths);
        }
    }

    /** Why the event does not tell, e.g. {@code GitLab lists 20 of the push's 31 commits}. */
    record Unknown(String why) implements ChangedFiles {
    }
}
