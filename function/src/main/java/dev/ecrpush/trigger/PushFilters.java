package dev.ecrpush.trigger;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.Push;

/**
 * A trigger's optional filters of the pushes its {@code branches} and {@code tags} match, all of which a push must
 * pass (AND). Every decision about them is made here, in {@link #decide}.
 *
 * <ul>
 *   <li>{@code excludeBranches} / {@code excludeTags}: a ref matching one is not built.</li>
 *   <li>{@code actors} / {@code excludeActors}: who pushed, by the login the host reports, compared without case
 *       (GitHub, GitLab, Gitea and Bitbucket logins are). A push whose event names no one does not pass
 *       {@code actors}.</li>
 *   <li>{@code skipMessages}: a branch push whose head commit's message contains one of them, without case, is not
 *       built. Not applied to tags: a release tag is often put on the "[skip ci]" commit a release tool made.</li>
 *   <li>{@code paths} / {@code excludePaths}: a branch push is built when at least one changed file matches
 *       {@code paths} (any file, when empty) and no {@code excludePaths} pattern. When the event cannot tell
 *       which files changed, the host is asked ({@link ChangedFilesLookup}: its compare API); when that cannot tell
 *       either, the push is built, and the decision says why. Not applied to tags, which change no files.</li>
 * </ul>
 */
public record PushFilters(List<RefPattern> excludeBranches, List<RefPattern> excludeTags, List<RefPattern> paths,
        List<RefPattern> excludePaths, List<String> actors, List<String> excludeActors, List<String> skipMessages) {

    /** The commit-message markers that skip a build unless a trigger sets its own {@code skipMessages}. */
    public static final List<String> DEFAULT_SKIP_MESSAGES = List.of("[skip ci]", "[ci skip]");

    /** No filter but the default {@code skipMessages}. */
    public static final PushFilters DEFAULT = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of(), DEFAULT_SKIP_MESSAGES);

    public PushFilters {
        excludeBranches = List.copyOf(excludeBranches);
        excludeTags = List.copyOf(excludeTags);
        paths = List.copyOf(paths);
        excludePaths = List.copyOf(excludePaths);
        actors = List.copyOf(actors);
        excludeActors = List.copyOf(excludeActors);
        skipMessages = List.copyOf(skipMessages);
    }

    /** What the filters make of a push. */
    public sealed interface Decision {
        /**
         * Build it.
         *
         * @param note what the filters could not tell and built anyway, or null
         */
        record Build(String note) implements Decision {
        }

        /** Do not build it: {@code reason} names the filter ({@code excludePaths: ...}). */
        record Filtered(String reason) implements Decision {
        }
    }

    /**
     * Where the files a push changed are asked for when its event does not tell (the host's compare API); asked only
     * when a {@code paths} or {@code excludePaths} filter needs them.
     */
    @FunctionalInterface
    public interface ChangedFilesLookup {
        /** The files, or why they cannot be told. Never throws. */
        ChangedFiles changedFiles(Push push);

        /** Asks nothing: what the event does not tell stays unknown. */
        ChangedFilesLookup NONE = push -> push.files();
    }

    /** The decision from what the event tells alone. */
    public Decision decide(Push push) {
        return decide(push, ChangedFilesLookup.NONE);
    }

    /**
     * @param push   a push whose ref the trigger's {@code branches} or {@code tags} match, not a deletion
     * @param lookup asked for the changed files when the event does not tell them and a path filter needs them
     */
    public Decision decide(Push push, ChangedFilesLookup lookup) {
        boolean branch = push.ref().kind() == Push.Ref.Kind.BRANCH;
        Optional<RefPattern> excluded = (branch ? excludeBranches : excludeTags).stream()
                .filter(p -> p.matches(push.ref().name())).findFirst();
        if (excluded.isPresent()) {
            return new Decision.Filtered((branch ? "excludeBranches: branch " : "excludeTags: tag ") + push.ref().name()
                    + " matches " + excluded.get());
        }
        Decision.Filtered byActor = actor(push.actor());
        if (byActor != null) {
            return byActor;
        }
        if (!branch) {
            return new Decision.Build(null);
        }
        Decision.Filtered byMessage = message(push.headMessage());
        if (byMessage != null) {
            return byMessage;
        }
        return files(push, lookup);
    }

    private Decision.Filtered actor(String actor) {
        if (!actors.isEmpty() && actor == null) {
            return new Decision.Filtered("actors: the event does not say who pushed");
        }
        if (!actors.isEmpty() && actors.stream().noneMatch(actor::equalsIgnoreCase)) {
            return new Decision.Filtered("actors: " + actor + " is not one of them");
        }
        if (actor != null && excludeActors.stream().anyMatch(actor::equalsIgnoreCase)) {
            return new Decision.Filtered("excludeActors: " + actor + " is one of them");
        }
        return null;
    }

    /** The message itself is not quoted back: it is the pusher's text. */
    private Decision.Filtered message(String message) {
        if (message == null) {
            return null;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return skipMessages.stream().filter(skip -> lower.contains(skip.toLowerCase(Locale.ROOT))).findFirst()
                .map(skip -> new Decision.Filtered("skipMessages: the head commit's message contains " + skip))
                .orElse(null);
    }

    private Decision files(Push push, ChangedFilesLookup lookup) {
        if (paths.isEmpty() && excludePaths.isEmpty()) {
            return new Decision.Build(null);
        }
        ChangedFiles files = push.files();
        if (files instanceof ChangedFiles.Unknown fromEvent) {
            files = lookup.changedFiles(push);
            if (files instanceof ChangedFiles.Unknown fromHost && !fromHost.why().equals(fromEvent.why())) {
                files = new ChangedFiles.Unknown(fromEvent.why() + "; " + fromHost.why());
            }
        }
        return files(files);
    }

    /** The {@code paths} / {@code excludePaths} decision on these files; a pull request's build is decided by it too. */
    Decision files(ChangedFiles files) {
        if (paths.isEmpty() && excludePaths.isEmpty()) {
            return new Decision.Build(null);
        }
        if (files instanceof ChangedFiles.Unknown unknown) {
            return new Decision.Build("changed files unknown: " + unknown.why() + "; built");
        }
        List<String> changed = ((ChangedFiles.Listed) files).paths();
        List<String> included = paths.isEmpty() ? changed
                : changed.stream().filter(file -> paths.stream().anyMatch(p -> p.matches(file))).toList();
        if (included.isEmpty()) {
            return new Decision.Filtered("paths: none of the " + changed.size() + " changed file(s) matches");
        }
        boolean anyLeft = included.stream().anyMatch(file -> excludePaths.stream().noneMatch(p -> p.matches(file)));
        return anyLeft ? new Decision.Build(null)
                : new Decision.Filtered("excludePaths: every one of the " + included.size() + " changed file(s)"
                        + (paths.isEmpty() ? "" : " matching paths") + " is excluded");
    }
}
