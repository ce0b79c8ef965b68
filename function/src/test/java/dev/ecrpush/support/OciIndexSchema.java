package dev.ecrpush.support;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The OCI image index schema (test resources {@code schemas/oci/}, with its source and licence), its references
 * served from the same directory, so that nothing is fetched.
 */
public final class OciIndexSchema {
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            builder -> builder.schemaMappers(mappers -> mappers
                    .mapPrefix("https://opencontainers.org/schema/image/index", "classpath:schemas/oci/image-index-schema.json")
                    .mapPrefix("https://opencontainers.org/schema/image/", "classpath:schemas/oci/")
                    .mapPrefix("https://opencontainers.org/schema/descriptor", "classpath:schemas/oci/content-descriptor.json")
                    .mapPrefix("https://opencontainers.org/schema/", "classpath:schemas/oci/")))
            .getSchema(SchemaLocation.of("https://opencontainers.org/schema/image/index"));

    private OciIndexSchema() {
    }

    /** What the schema finds wrong with {@code index}; empty when it validates. */
    public static Set<ValidationMessage> validate(JsonNode index) {
        return SCHEMA.validate(index);
    }
}
