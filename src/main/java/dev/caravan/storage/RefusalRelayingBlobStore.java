package dev.caravan.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.util.function.Supplier;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;
import org.jclouds.io.Payloads;

/**
 * Answers an upload whose body s3proxy refused while the store read it (a wrong chunk signature or trailing checksum)
 * with s3proxy's own error, 403 or 400: the filesystem store wraps that refusal, which s3proxy then reports as a 500.
 */
final class RefusalRelayingBlobStore extends ForwardingBlobStore {

    RefusalRelayingBlobStore(BlobStore store) {
        super(store);
    }

    @Override
    public String putBlob(String container, Blob blob) {
        return putBlob(container, blob, PutOptions.NONE);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        Body body = body(blob.getPayload());
        blob.setPayload(body.payload);
        return body.relayingRefusal(() -> delegate().putBlob(container, blob, options));
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload upload, int partNumber, Payload payload) {
        Body body = body(payload);
        return body.relayingRefusal(() -> delegate().uploadMultipartPart(upload, partNumber, body.payload));
    }

    private static Body body(Payload payload) {
        try {
            return new Body(payload);
        } catch (IOException e) {
            throw sneaky(e);
        }
    }

    /** Rethrows s3proxy's own IOException unchanged, as its handler maps that one to the status the check chose. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }

    /** An upload's body that keeps what s3proxy's reading of it refused. */
    private static final class Body extends FilterInputStream {
        private final Payload payload;
        private IOException refused;

        Body(Payload original) throws IOException {
            super(original.openStream());
            this.payload = Payloads.newInputStreamPayload(this);
            payload.setContentMetadata(original.getContentMetadata());
        }

        <T> T relayingRefusal(Supplier<T> store) {
            try {
                T result = store.get();
                if (refused != null) {
                    throw sneaky(refused);
                }
                return result;
            } catch (RuntimeException e) {
                throw refused != null ? sneaky(refused) : e;
            }
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                refused = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int size) throws IOException {
            try {
                return super.read(buffer, offset, size);
            } catch (IOException e) {
                refused = e;
                throw e;
            }
        }
    }
}
