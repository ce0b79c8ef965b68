package dev.ecrpush.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.SecretText;

/**
 * Reads a secret's value with the function's own credentials. Only manual keys need this: the function
 * must sign with them itself, whereas builds only ever receive the reference. Messages name the reference,
 * never what it holds.
 */
final class SecretReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsClients clients;

    SecretReader(AwsClients clients) {
        this.clients = clients;
    }

    /** The value behind {@code ref}, read in the ARN's region or else in {@code region}, without surrounding blanks. */
    SecretText read(SecretRef ref, Region region) {
        String value = ref.store() == SecretRef.Store.PARAMETER_STORE ? parameter(ref, region) : secret(ref, region);
        if (value == null || value.isBlank()) {
            throw new CredentialsRefusedException("secret " + ref.value() + " is empty");
        }
        // A key pasted with a trailing newline signs every request wrongly, and no key contains blanks.
        return new SecretText(value.strip());
    }

    private String parameter(SecretRef ref, Region region) {
        SsmClient ssm = clients.ssm(region, clients.functionCredentials());
        try {
            return ssm.getParameter(r -> r.name(ref.codeBuildValue()).withDecryption(true)).parameter().value();
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "ssm:GetParameter for " + ref.value(), CredentialsRefusedException::new);
        }
    }

    private String secret(SecretRef ref, Region region) {
        SecretsManagerRef target = SecretsManagerRef.parse(ref.value(), region);
        SecretsManagerClient secretsManager = clients.secretsManager(target.region(), clients.functionCredentials());
        GetSecretValueResponse response;
        try {
            response = secretsManager.getSecretValue(r -> r.secretId(target.secretId())
                    .versionStage(target.versionStage()).versionId(target.versionId()));
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "secretsmanager:GetSecretValue for " + ref.value(), CredentialsRefusedException::new);
        }
        if (response.secretString() == null) {
            throw new CredentialsRefusedException("secret " + ref.value() + " holds binary data; store the key as text");
        }
        return target.jsonKey() == null ? response.secretString() : jsonValue(response.secretString(), target.jsonKey(), ref);
    }

    private static String jsonValue(String secret, String key, SecretRef ref) {
        JsonNode root;
        try {
            root = JSON.readTree(secret);
        } catch (JsonProcessingException e) {
            // The parser's message quotes the text it stopped at, the secret itself: it must not travel, nor its cause.
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new CredentialsRefusedException("secret " + ref.value() + " is not a JSON object, so it has no key " + key);
        }
        JsonNode value = root.get(key);
        if (value == null || !value.isTextual()) {
            throw new CredentialsRefusedException("secret " + ref.value() + " has no text value at key " + key);
        }
        return value.asText();
    }
}
