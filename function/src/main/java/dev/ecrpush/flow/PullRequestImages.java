package dev.ecrpush.flow;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.trigger.Trigger;

/**
 * The images a pull request's builds pushed, so that closing it (merged or not) deletes that request's tags, and
 * nothing else (docs/triggers.md, "Pull requests").
 */
@ApplicationScoped
public class PullRequestImages {

    /**
     * What closing a request did for one trigger.
     *
     * @param deleted the tags deleted, as {@code repository:tag}
     * @param failed  the tags that could not be deleted, with why
     */
    public record Cleanup(List<String> deleted, List<String> failed) {
        public Cleanup {
            deleted = List.copyOf(deleted);
            failed = List.copyOf(failed);
        }
    }

    /** Remembers the tags a started build of {@code pullRequest} for {@code trigger} pushes. */
    public void built(Trigger trigger, PullRequest pullRequest, StepResult result) {
        throw new UnsupportedOperationException("pull request images are not remembered yet");
    }

    /** Deletes the tags the request's builds for {@code trigger} pushed, and forgets them. */
    public Cleanup closed(Trigger trigger, PullRequest pullRequest) {
        throw new UnsupportedOperationException("pull request images are not deleted yet");
    }
}
