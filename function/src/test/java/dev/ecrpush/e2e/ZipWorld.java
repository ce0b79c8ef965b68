package dev.ecrpush.e2e;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.ecrpush.support.TriggerWorld;

/**
 * The packaged zip running against a {@link TriggerWorld} (the AWS fake, DynamoDB Local, WireMock) for one test class:
 * started before its first test with the world's environment, as the template sets it, and both closed after its last.
 * A class registers it with {@code @RegisterExtension static final ZipWorld ZIP = ZipWorld.started();}.
 */
final class ZipWorld implements BeforeAllCallback, AfterAllCallback {
    /** What a test class adds to the world and the function's environment before the zip starts. */
    @FunctionalInterface
    interface Setting {
        void apply(TriggerWorld world, Map<String, String> environment) throws IOException;
    }

    private final Setting setting;
    private TriggerWorld world;
    private PackagedFunction.Running zip;

    private ZipWorld(Setting setting) {
        this.setting = setting;
    }

    /** The zip with the world's environment as it is. */
    static ZipWorld started() {
        return new ZipWorld((world, environment) -> { });
    }

    /** The zip with what {@code setting} adds to the world and the environment. */
    static ZipWorld startedWith(Setting setting) {
        return new ZipWorld(setting);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        world = TriggerWorld.start();
        Map<String, String> environment = PackagedFunction.environment(world);
        setting.apply(world, environment);
        zip = PackagedFunction.Running.start(environment);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (zip != null) {
                zip.close();
            }
        } finally {
            if (world != null) {
                world.close();
            }
        }
    }

    TriggerWorld world() {
        return world;
    }

    PackagedFunction.Running zip() {
        return zip;
    }
}
