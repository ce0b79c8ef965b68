package dev.ecrpush.step;

import java.util.regex.Pattern;

import dev.ecrpush.aws.Arn;

/**
 * Where a secret lives: a Secrets Manager secret (ARN or name, optionally {@code :json-key}) or an SSM
 * SecureString parameter ({@code ssm:/path}). The function hands builds the reference, not the value.
 */
public record SecretRef(String value, Store store) {
    public enum Store { SECRETS_MANAGER, PARAMETER_STORE }

    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}(:[^:\\s]+)?");
    private static final Pattern PARAMETER = Pattern.compile("ssm:(/[A-Za-z0-9_.\\-/]{1,2047})");

    /** The reference, or null with a problem recorded at {@code path}; the message never quotes the text. */
    public static SecretRef parse(String text, String path, Problems problems) {
        if (text.startsWith("ssm:")) {
            if (PARAMETER.matcher(text).matches()) {
                return new SecretRef(text, Store.PARAMETER_STORE);
            }
            problems.error(path, "is not a parameter reference; write ssm:/absolute/path");
            return null;
        }
        if (text.startsWith("arn:")) {
            if (Arn.secret(text) != null) {
                return new SecretRef(text, Store.SECRETS_MANAGER);
            }
            problems.error(path, "is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)");
            return null;
        }
        if (SECRET_NAME.matcher(text).matches()) {
            return new SecretRef(text, Store.SECRETS_MANAGER);
        }
        problems.error(path, "is not a secret reference (a Secrets Manager ARN or name, or ssm:/path)");
        return null;
    }

    /** Whether {@code text} is written as an explicit reference rather than a name or path of something else. */
    public static boolean looksLikeReference(String text) {
        return text.startsWith("arn:") || text.startsWith("ssm:");
    }

    /** The value CodeBuild expects in a {@code SECRETS_MANAGER} or {@code PARAMETER_STORE} variable. */
    public String codeBuildValue() {
        return store == Store.PARAMETER_STORE ? value.substring("ssm:".length()) : value;
    }
}
