package software.amazon.awssdk.services.demo.transform;

import software.amazon.awssdk.services.demo.model.ListThingsRequest;

public final class ListThingsMarshaller {
    public String marshal(ListThingsRequest request) {
        return "{\"prefix\":\"" + request.prefix() + "\"}";
    }
}
