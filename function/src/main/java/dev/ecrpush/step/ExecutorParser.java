package dev.ecrpush.step;

/** Reads the payload's {@code executor} object for one executor type, with that executor's configured defaults. */
public interface ExecutorParser {
    /** The {@code executor.type} it reads. */
    String type();

    /**
     * @param executor the payload's {@code executor} object; null when the payload has none (the default executor)
     * @param infra    the step's infra, which may choose a default (the privileged CodeBuild project for docker)
     * @return the spec; null when a problem was reported
     */
    ExecutorSpec parse(Fields executor, Infra infra, Problems problems);
}
