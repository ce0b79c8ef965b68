package software.amazon.awssdk.services.demo;

import software.amazon.awssdk.services.demo.model.ListThingsRequest;
import software.amazon.awssdk.services.demo.model.ListThingsResponse;
import software.amazon.awssdk.services.demo.model.PutThingRequest;
import software.amazon.awssdk.services.demo.model.PutThingResponse;
import software.amazon.awssdk.services.demo.model.Thing;
import software.amazon.awssdk.services.demo.transform.ListThingsMarshaller;

final class DefaultDemoClient implements DemoClient {
    @Override
    public PutThingResponse putThing(PutThingRequest request) {
        return new PutThingResponse(new Thing(request.name()));
    }

    @Override
    public ListThingsResponse listThings(ListThingsRequest request) {
        return new ListThingsResponse(new ListThingsMarshaller().marshal(request));
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
