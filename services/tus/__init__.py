"""tus 1.0 resumable uploads (https://tus.io/protocols/resumable-upload), shared by the systems
that take large uploads (video, files): the protocol's headers and checks
(:mod:`services.tus.protocol`), appending a PATCH body to a part file
(:mod:`services.tus.partfile`), and the routes (:mod:`services.tus.routes`) over any upload desk
that follows :class:`services.tus.routes.TusDesk`."""
