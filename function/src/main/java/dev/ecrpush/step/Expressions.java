package dev.ecrpush.step;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline expressions a step may use here: {@code <+codebase.commitSha>}, {@code shortCommitSha},
 * {@code branch}, {@code tag}, {@code <+trigger.type>}, and in a pull request's build {@code <+trigger.prNumber>},
 * {@code <+trigger.sourceBranch>} and {@code <+trigger.targetBranch>} (from the codebase's {@code prNumber},
 * {@code sourceBranch} and {@code targetBranch}, which a trigger sets for a pull request). Everything else has no
 * meaning outside the pipeline that would have resolved it.
 */
public final class Expressions {
    private static final Pattern EXPRESSION = Pattern.compile("<\\+([^<>]*)>");

    /** What expressions resolve from. {@code triggerType} is {@code manual}, {@code webhook} or {@code schedule}. */
    public record Context(Codebase codebase, TriggerType triggerType) {
    }

    /** The outcome of resolving one string. */
    public sealed interface Result {
        record Resolved(String text) implements Result {
        }

        /** An expression this function does not know, e.g. {@code <+input>} or {@code <+pipeline.variables.x>}. */
        record Unknown(String expression, boolean whole) implements Result {
        }

        /** A known expression whose value the payload does not give. */
        record Missing(String expression, String reason) implements Result {
        }
    }

    private Expressions() {
    }

    public static Result resolve(String text, Context context) {
        Matcher m = EXPRESSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).trim();
            String value;
            switch (name) {
                case "codebase.commitSha" -> value = context.codebase().commitSha();
                case "codebase.shortCommitSha" -> {
                    String sha = context.codebase().commitSha();
                    value = sha == null ? null : sha.substring(0, Math.min(7, sha.length()));
                }
                case "codebase.branch" -> value = context.codebase().branch();
                case "codebase.tag" -> value = context.codebase().tag();
                case "trigger.type" -> value = context.triggerType().wire();
                case "trigger.prNumber" -> value = context.codebase().prNumber() == null ? null
                        : context.codebase().prNumber().toString();
                case "trigger.sourceBranch" -> value = context.codebase().sourceBranch();
                case "trigger.targetBranch" -> value = context.codebase().targetBranch();
                default -> {
                    return new Result.Unknown(m.group(), m.start() == 0 && m.end() == text.length());
                }
            }
            if (value == null && name.startsWith("trigger.")) {
                return new Result.Missing(m.group(), "the payload's codebase has no " + name.substring("trigger.".length())
                        + ": it is set for a pull request's build only");
            }
            if (value == null) {
                String field = name.equals("codebase.shortCommitSha") ? "commitSha" : name.substring(name.indexOf('.') + 1);
                return new Result.Missing(m.group(), "the payload's codebase has no " + field);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return new Result.Resolved(out.toString());
    }
}
