package dev.ecrpush.flow;

import java.util.List;

/**
 * A push's run of a trigger with {@code monotonicTags}: which trigger, and the sequence its pushes of the ref are
 * ordered in ({@link dev.ecrpush.trigger.TriggerPayloads#refSequence}).
 */
public record MonotonicRun(String trigger, String refSequence) {

    /**
     * What the run leaves to the function: the tags to move once its build has succeeded, and the trigger's payload
     * for the push, from which the move is planned again then.
     */
    public record Moving(MonotonicRun run, List<String> tags, String payload) {
        public Moving {
            tags = List.copyOf(tags);
        }
    }
}
