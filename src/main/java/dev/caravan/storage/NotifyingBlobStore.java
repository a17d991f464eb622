package dev.caravan.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells its listeners of each object the store created, after the store has it: the three ways s3proxy creates one
 * (PutObject, CompleteMultipartUpload, CopyObject). An upload that failed tells nobody, and neither does the empty
 * placeholder object that s3proxy stores under a multipart upload's id when the upload begins, on the same thread.
 */
final class NotifyingBlobStore extends ForwardingBlobStore implements ObjectCreatedEvents {

    private static final Logger log = LoggerFactory.getLogger(NotifyingBlobStore.class);

    private final List<Consumer<S3Location>> listeners = new CopyOnWriteArrayList<>();
    private final ThreadLocal<String> uploadBegun = new ThreadLocal<>();

    NotifyingBlobStore(BlobStore store) {
        super(store);
    }

    @Override
    public void subscribe(Consumer<S3Location> listener) {
        listeners.add(listener);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata metadata, PutOptions options) {
        MultipartUpload upload = delegate().initiateMultipartUpload(container, metadata, options);
        uploadBegun.set(upload.id());
        return upload;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        return put(container, blob.getMetadata().getName(), delegate().putBlob(container, blob));
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        return put(container, blob.getMetadata().getName(), delegate().putBlob(container, blob, options));
    }

    private String put(String container, String name, String eTag) {
        if (name.equals(uploadBegun.get())) {
            uploadBegun.remove();
            return eTag;
        }
        return created(container, name, eTag);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        return created(upload.containerName(), upload.blobName(), delegate().completeMultipartUpload(upload, parts));
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
                           CopyOptions options) {
        return created(toContainer, toName, delegate().copyBlob(fromContainer, fromName, toContainer, toName, options));
    }

    private String created(String bucket, String key, String eTag) {
        S3Location object = new S3Location(bucket, key);
        for (Consumer<S3Location> listener : listeners) {
            try {
                listener.accept(object);
            } catch (RuntimeException e) {
                // The object is stored either way; whoever listened learns of it at its next look (a poll).
                log.warn("A listener of the embedded S3 server failed on new object {}: {}", object, e.toString());
            }
        }
        return eTag;
    }
}
