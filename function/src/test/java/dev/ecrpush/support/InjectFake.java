package dev.ecrpush.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A field of a {@code @QuarkusTest} that gets the fake its test resource started: an {@link AwsFake}, a
 * {@link DynamoDbLocal} or the whole {@link TriggerWorld}, whichever the field's type is.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectFake {
}
