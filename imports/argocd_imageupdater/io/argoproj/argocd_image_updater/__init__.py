from __future__ import annotations

from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)

import abc
import builtins
import datetime
import enum
import typing

import jsii
import publication
import typing_extensions

from jsii._type_checking import cached_type_hints, check_type


from ._jsii import *

class _LazyImport:
    def __init__(self, module_name: str) -> None:
        self._module_name = module_name
        self._module: typing.Any = None
    def __getattr__(self, name: str) -> typing.Any:
        if self._module is None:
            import importlib
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, name)

if typing.TYPE_CHECKING:

    import cdk8s as _cdk8s_d3d9af27
    import constructs as _constructs_77d1e7e8
else:

    _cdk8s_d3d9af27 = _LazyImport("cdk8s")
    _constructs_77d1e7e8 = _LazyImport("constructs")


class ImageUpdater(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdater",
):
    '''ImageUpdater is the Schema for the imageupdaters API.

    :schema: ImageUpdater
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ImageUpdaterSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Defines a "ImageUpdater" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param metadata: 
        :param spec: ImageUpdaterSpec defines the desired state of ImageUpdater It specifies which applications to target, default update strategies, and a list of images to manage.
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__7250de74e47efa73ef60889e1960413627472c110b51413fd7dd65d55ace9927)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = ImageUpdaterProps(metadata=metadata, spec=spec)

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ImageUpdaterSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "ImageUpdater".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param metadata: 
        :param spec: ImageUpdaterSpec defines the desired state of ImageUpdater It specifies which applications to target, default update strategies, and a list of images to manage.
        '''
        props = ImageUpdaterProps(metadata=metadata, spec=spec)

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "ImageUpdater".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterProps",
    jsii_struct_bases=[],
    name_mapping={"metadata": "metadata", "spec": "spec"},
)
class ImageUpdaterProps:
    def __init__(
        self,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ImageUpdaterSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''ImageUpdater is the Schema for the imageupdaters API.

        :param metadata: 
        :param spec: ImageUpdaterSpec defines the desired state of ImageUpdater It specifies which applications to target, default update strategies, and a list of images to manage.

        :schema: ImageUpdater
        '''
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if isinstance(spec, dict):
            spec = ImageUpdaterSpec(**spec)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__b0bf71012581b5c43b62a764983406cd784f0c44d011bee231236d4fcfa0ebc6)
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if metadata is not None:
            self._values["metadata"] = metadata
        if spec is not None:
            self._values["spec"] = spec

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: ImageUpdater#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    @builtins.property
    def spec(self) -> typing.Optional["ImageUpdaterSpec"]:
        '''ImageUpdaterSpec defines the desired state of ImageUpdater It specifies which applications to target, default update strategies, and a list of images to manage.

        :schema: ImageUpdater#spec
        '''
        result = self._values.get("spec")
        return typing.cast(typing.Optional["ImageUpdaterSpec"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpec",
    jsii_struct_bases=[],
    name_mapping={
        "application_refs": "applicationRefs",
        "namespace": "namespace",
        "common_update_settings": "commonUpdateSettings",
        "write_back_config": "writeBackConfig",
    },
)
class ImageUpdaterSpec:
    def __init__(
        self,
        *,
        application_refs: typing.Sequence[typing.Union["ImageUpdaterSpecApplicationRefs", typing.Dict[builtins.str, typing.Any]]],
        namespace: builtins.str,
        common_update_settings: typing.Optional[typing.Union["ImageUpdaterSpecCommonUpdateSettings", typing.Dict[builtins.str, typing.Any]]] = None,
        write_back_config: typing.Optional[typing.Union["ImageUpdaterSpecWriteBackConfig", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''ImageUpdaterSpec defines the desired state of ImageUpdater It specifies which applications to target, default update strategies, and a list of images to manage.

        :param application_refs: ApplicationRefs indicates the set of applications to be managed. ApplicationRefs is a list of rules to select Argo CD Applications within the ``spec.namespace``. Each reference can also provide specific overrides for the global settings defined above.
        :param namespace: Namespace indicates the target namespace of the applications. This is the namespace where the controller will look for Argo CD Applications matching the criteria in ApplicationRefs.
        :param common_update_settings: CommonUpdateSettings provides global default settings for update strategies, tag filtering, pull secrets, etc., for all applications matched by this CR. These can be overridden at the ApplicationRef or ImageConfig level.
        :param write_back_config: WriteBackConfig provides global default settings for how and where to write back image updates. This can be overridden at the ApplicationRef level.

        :schema: ImageUpdaterSpec
        '''
        if isinstance(common_update_settings, dict):
            common_update_settings = ImageUpdaterSpecCommonUpdateSettings(**common_update_settings)
        if isinstance(write_back_config, dict):
            write_back_config = ImageUpdaterSpecWriteBackConfig(**write_back_config)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__44549ff6ff6e7f233db679ada617b2020a46bcef33bde15b15d9bec495b5896c)
            check_type(argname="argument application_refs", value=application_refs, expected_type=type_hints["application_refs"])
            check_type(argname="argument namespace", value=namespace, expected_type=type_hints["namespace"])
            check_type(argname="argument common_update_settings", value=common_update_settings, expected_type=type_hints["common_update_settings"])
            check_type(argname="argument write_back_config", value=write_back_config, expected_type=type_hints["write_back_config"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "application_refs": application_refs,
            "namespace": namespace,
        }
        if common_update_settings is not None:
            self._values["common_update_settings"] = common_update_settings
        if write_back_config is not None:
            self._values["write_back_config"] = write_back_config

    @builtins.property
    def application_refs(self) -> typing.List["ImageUpdaterSpecApplicationRefs"]:
        '''ApplicationRefs indicates the set of applications to be managed.

        ApplicationRefs is a list of rules to select Argo CD Applications within the ``spec.namespace``.
        Each reference can also provide specific overrides for the global settings defined above.

        :schema: ImageUpdaterSpec#applicationRefs
        '''
        result = self._values.get("application_refs")
        assert result is not None, "Required property 'application_refs' is missing"
        return typing.cast(typing.List["ImageUpdaterSpecApplicationRefs"], result)

    @builtins.property
    def namespace(self) -> builtins.str:
        '''Namespace indicates the target namespace of the applications.

        This is the namespace where the controller will look for Argo CD Applications
        matching the criteria in ApplicationRefs.

        :schema: ImageUpdaterSpec#namespace
        '''
        result = self._values.get("namespace")
        assert result is not None, "Required property 'namespace' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def common_update_settings(
        self,
    ) -> typing.Optional["ImageUpdaterSpecCommonUpdateSettings"]:
        '''CommonUpdateSettings provides global default settings for update strategies, tag filtering, pull secrets, etc., for all applications matched by this CR. These can be overridden at the ApplicationRef or ImageConfig level.

        :schema: ImageUpdaterSpec#commonUpdateSettings
        '''
        result = self._values.get("common_update_settings")
        return typing.cast(typing.Optional["ImageUpdaterSpecCommonUpdateSettings"], result)

    @builtins.property
    def write_back_config(self) -> typing.Optional["ImageUpdaterSpecWriteBackConfig"]:
        '''WriteBackConfig provides global default settings for how and where to write back image updates.

        This can be overridden at the ApplicationRef level.

        :schema: ImageUpdaterSpec#writeBackConfig
        '''
        result = self._values.get("write_back_config")
        return typing.cast(typing.Optional["ImageUpdaterSpecWriteBackConfig"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpec(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefs",
    jsii_struct_bases=[],
    name_mapping={
        "images": "images",
        "name_pattern": "namePattern",
        "common_update_settings": "commonUpdateSettings",
        "label_selectors": "labelSelectors",
        "write_back_config": "writeBackConfig",
    },
)
class ImageUpdaterSpecApplicationRefs:
    def __init__(
        self,
        *,
        images: typing.Sequence[typing.Union["ImageUpdaterSpecApplicationRefsImages", typing.Dict[builtins.str, typing.Any]]],
        name_pattern: builtins.str,
        common_update_settings: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsCommonUpdateSettings", typing.Dict[builtins.str, typing.Any]]] = None,
        label_selectors: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsLabelSelectors", typing.Dict[builtins.str, typing.Any]]] = None,
        write_back_config: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsWriteBackConfig", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''ApplicationRef contains various criteria by which to include applications for managing by image updater.

        :param images: Images contains a list of configurations that how images should be updated. These rules apply to applications selected by namePattern in ApplicationRefs, and each image can override global/ApplicationRef settings.
        :param name_pattern: NamePattern indicates the glob pattern for application name.
        :param common_update_settings: CommonUpdateSettings overrides the global CommonUpdateSettings for applications matched by this selector.
        :param label_selectors: LabelSelectors indicates the label selectors to apply for application selection.
        :param write_back_config: WriteBackConfig overrides the global WriteBackConfig settings for applications matched by this selector.

        :schema: ImageUpdaterSpecApplicationRefs
        '''
        if isinstance(common_update_settings, dict):
            common_update_settings = ImageUpdaterSpecApplicationRefsCommonUpdateSettings(**common_update_settings)
        if isinstance(label_selectors, dict):
            label_selectors = ImageUpdaterSpecApplicationRefsLabelSelectors(**label_selectors)
        if isinstance(write_back_config, dict):
            write_back_config = ImageUpdaterSpecApplicationRefsWriteBackConfig(**write_back_config)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__518ed5e59bc1d2f1f3003a67aed3ac9a3c83b69ff40ff360a7065c4e8d826cc5)
            check_type(argname="argument images", value=images, expected_type=type_hints["images"])
            check_type(argname="argument name_pattern", value=name_pattern, expected_type=type_hints["name_pattern"])
            check_type(argname="argument common_update_settings", value=common_update_settings, expected_type=type_hints["common_update_settings"])
            check_type(argname="argument label_selectors", value=label_selectors, expected_type=type_hints["label_selectors"])
            check_type(argname="argument write_back_config", value=write_back_config, expected_type=type_hints["write_back_config"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "images": images,
            "name_pattern": name_pattern,
        }
        if common_update_settings is not None:
            self._values["common_update_settings"] = common_update_settings
        if label_selectors is not None:
            self._values["label_selectors"] = label_selectors
        if write_back_config is not None:
            self._values["write_back_config"] = write_back_config

    @builtins.property
    def images(self) -> typing.List["ImageUpdaterSpecApplicationRefsImages"]:
        '''Images contains a list of configurations that how images should be updated.

        These rules apply to applications selected by namePattern in ApplicationRefs, and each
        image can override global/ApplicationRef settings.

        :schema: ImageUpdaterSpecApplicationRefs#images
        '''
        result = self._values.get("images")
        assert result is not None, "Required property 'images' is missing"
        return typing.cast(typing.List["ImageUpdaterSpecApplicationRefsImages"], result)

    @builtins.property
    def name_pattern(self) -> builtins.str:
        '''NamePattern indicates the glob pattern for application name.

        :schema: ImageUpdaterSpecApplicationRefs#namePattern
        '''
        result = self._values.get("name_pattern")
        assert result is not None, "Required property 'name_pattern' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def common_update_settings(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsCommonUpdateSettings"]:
        '''CommonUpdateSettings overrides the global CommonUpdateSettings for applications matched by this selector.

        :schema: ImageUpdaterSpecApplicationRefs#commonUpdateSettings
        '''
        result = self._values.get("common_update_settings")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsCommonUpdateSettings"], result)

    @builtins.property
    def label_selectors(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsLabelSelectors"]:
        '''LabelSelectors indicates the label selectors to apply for application selection.

        :schema: ImageUpdaterSpecApplicationRefs#labelSelectors
        '''
        result = self._values.get("label_selectors")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsLabelSelectors"], result)

    @builtins.property
    def write_back_config(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsWriteBackConfig"]:
        '''WriteBackConfig overrides the global WriteBackConfig settings for applications matched by this selector.

        :schema: ImageUpdaterSpecApplicationRefs#writeBackConfig
        '''
        result = self._values.get("write_back_config")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsWriteBackConfig"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefs(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsCommonUpdateSettings",
    jsii_struct_bases=[],
    name_mapping={
        "allow_tags": "allowTags",
        "force_update": "forceUpdate",
        "ignore_tags": "ignoreTags",
        "platforms": "platforms",
        "pull_secret": "pullSecret",
        "update_strategy": "updateStrategy",
    },
)
class ImageUpdaterSpecApplicationRefsCommonUpdateSettings:
    def __init__(
        self,
        *,
        allow_tags: typing.Optional[builtins.str] = None,
        force_update: typing.Optional[builtins.bool] = None,
        ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
        platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
        pull_secret: typing.Optional[builtins.str] = None,
        update_strategy: typing.Optional[builtins.str] = None,
    ) -> None:
        '''CommonUpdateSettings overrides the global CommonUpdateSettings for applications matched by this selector.

        :param allow_tags: AllowTags is a regex pattern for tags to allow. This acts as the default if not overridden.
        :param force_update: ForceUpdate specifies whether updates should be forced. This acts as the default if not overridden.
        :param ignore_tags: IgnoreTags is a list of glob-like patterns of tags to ignore. This acts as the default and can be overridden at more specific levels.
        :param platforms: Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.
        :param pull_secret: PullSecret is the pull secret to use for images. This acts as the default if not overridden.
        :param update_strategy: UpdateStrategy defines the update strategy to apply. Examples: "semver", "latest", "digest", "name". This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__e8cd14fb6eb4757809389fdfb3260a017000e5a98615621974a65a8bead22b54)
            check_type(argname="argument allow_tags", value=allow_tags, expected_type=type_hints["allow_tags"])
            check_type(argname="argument force_update", value=force_update, expected_type=type_hints["force_update"])
            check_type(argname="argument ignore_tags", value=ignore_tags, expected_type=type_hints["ignore_tags"])
            check_type(argname="argument platforms", value=platforms, expected_type=type_hints["platforms"])
            check_type(argname="argument pull_secret", value=pull_secret, expected_type=type_hints["pull_secret"])
            check_type(argname="argument update_strategy", value=update_strategy, expected_type=type_hints["update_strategy"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if allow_tags is not None:
            self._values["allow_tags"] = allow_tags
        if force_update is not None:
            self._values["force_update"] = force_update
        if ignore_tags is not None:
            self._values["ignore_tags"] = ignore_tags
        if platforms is not None:
            self._values["platforms"] = platforms
        if pull_secret is not None:
            self._values["pull_secret"] = pull_secret
        if update_strategy is not None:
            self._values["update_strategy"] = update_strategy

    @builtins.property
    def allow_tags(self) -> typing.Optional[builtins.str]:
        '''AllowTags is a regex pattern for tags to allow.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#allowTags
        '''
        result = self._values.get("allow_tags")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def force_update(self) -> typing.Optional[builtins.bool]:
        '''ForceUpdate specifies whether updates should be forced.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#forceUpdate
        '''
        result = self._values.get("force_update")
        return typing.cast(typing.Optional[builtins.bool], result)

    @builtins.property
    def ignore_tags(self) -> typing.Optional[typing.List[builtins.str]]:
        '''IgnoreTags is a list of glob-like patterns of tags to ignore.

        This acts as the default and can be overridden at more specific levels.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#ignoreTags
        '''
        result = self._values.get("ignore_tags")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def platforms(self) -> typing.Optional[typing.List[builtins.str]]:
        '''Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#platforms
        '''
        result = self._values.get("platforms")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def pull_secret(self) -> typing.Optional[builtins.str]:
        '''PullSecret is the pull secret to use for images.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#pullSecret
        '''
        result = self._values.get("pull_secret")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def update_strategy(self) -> typing.Optional[builtins.str]:
        '''UpdateStrategy defines the update strategy to apply.

        Examples: "semver", "latest", "digest", "name".
        This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecApplicationRefsCommonUpdateSettings#updateStrategy
        '''
        result = self._values.get("update_strategy")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsCommonUpdateSettings(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsImages",
    jsii_struct_bases=[],
    name_mapping={
        "alias": "alias",
        "image_name": "imageName",
        "common_update_settings": "commonUpdateSettings",
        "manifest_targets": "manifestTargets",
    },
)
class ImageUpdaterSpecApplicationRefsImages:
    def __init__(
        self,
        *,
        alias: builtins.str,
        image_name: builtins.str,
        common_update_settings: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings", typing.Dict[builtins.str, typing.Any]]] = None,
        manifest_targets: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsImagesManifestTargets", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''ImageConfig defines how a specific container image should be discovered, updated, and how those updates should be reflected in application manifests.

        :param alias: Alias is a short, user-defined name for this image configuration. It MUST be unique within a single ApplicationRef's list of images. This field is mandatory.
        :param image_name: ImageName is the full identifier of the image to be tracked, including the registry (if not Docker Hub), the image name, and an initial/current tag or version. This is the string used to query the container registry and also as a base for finding updates. Example: "docker.io/library/nginx:1.17.10", "quay.io/prometheus/node-exporter:v1.5.0". This field is mandatory.
        :param common_update_settings: CommonUpdateSettings overrides the effective default CommonUpdateSettings for this specific image.
        :param manifest_targets: ManifestTarget defines how and where to update this image in Kubernetes manifests. Only one of Helm or Kustomize should be specified within this block. This whole block is optional if the image update isn't written to a manifest in a structured way.

        :schema: ImageUpdaterSpecApplicationRefsImages
        '''
        if isinstance(common_update_settings, dict):
            common_update_settings = ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings(**common_update_settings)
        if isinstance(manifest_targets, dict):
            manifest_targets = ImageUpdaterSpecApplicationRefsImagesManifestTargets(**manifest_targets)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__0a0d3cd8e4e9bdb688bfce6e9ee6b07173724e480cfbbea538e6d5e52a2160c0)
            check_type(argname="argument alias", value=alias, expected_type=type_hints["alias"])
            check_type(argname="argument image_name", value=image_name, expected_type=type_hints["image_name"])
            check_type(argname="argument common_update_settings", value=common_update_settings, expected_type=type_hints["common_update_settings"])
            check_type(argname="argument manifest_targets", value=manifest_targets, expected_type=type_hints["manifest_targets"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "alias": alias,
            "image_name": image_name,
        }
        if common_update_settings is not None:
            self._values["common_update_settings"] = common_update_settings
        if manifest_targets is not None:
            self._values["manifest_targets"] = manifest_targets

    @builtins.property
    def alias(self) -> builtins.str:
        '''Alias is a short, user-defined name for this image configuration.

        It MUST be unique within a single ApplicationRef's list of images.
        This field is mandatory.

        :schema: ImageUpdaterSpecApplicationRefsImages#alias
        '''
        result = self._values.get("alias")
        assert result is not None, "Required property 'alias' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def image_name(self) -> builtins.str:
        '''ImageName is the full identifier of the image to be tracked, including the registry (if not Docker Hub), the image name, and an initial/current tag or version.

        This is the string used to query the container registry and also as a base for finding updates.
        Example: "docker.io/library/nginx:1.17.10", "quay.io/prometheus/node-exporter:v1.5.0".
        This field is mandatory.

        :schema: ImageUpdaterSpecApplicationRefsImages#imageName
        '''
        result = self._values.get("image_name")
        assert result is not None, "Required property 'image_name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def common_update_settings(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings"]:
        '''CommonUpdateSettings overrides the effective default CommonUpdateSettings for this specific image.

        :schema: ImageUpdaterSpecApplicationRefsImages#commonUpdateSettings
        '''
        result = self._values.get("common_update_settings")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings"], result)

    @builtins.property
    def manifest_targets(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargets"]:
        '''ManifestTarget defines how and where to update this image in Kubernetes manifests.

        Only one of Helm or Kustomize should be specified within this block.
        This whole block is optional if the image update isn't written to a manifest in a structured way.

        :schema: ImageUpdaterSpecApplicationRefsImages#manifestTargets
        '''
        result = self._values.get("manifest_targets")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargets"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsImages(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings",
    jsii_struct_bases=[],
    name_mapping={
        "allow_tags": "allowTags",
        "force_update": "forceUpdate",
        "ignore_tags": "ignoreTags",
        "platforms": "platforms",
        "pull_secret": "pullSecret",
        "update_strategy": "updateStrategy",
    },
)
class ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings:
    def __init__(
        self,
        *,
        allow_tags: typing.Optional[builtins.str] = None,
        force_update: typing.Optional[builtins.bool] = None,
        ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
        platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
        pull_secret: typing.Optional[builtins.str] = None,
        update_strategy: typing.Optional[builtins.str] = None,
    ) -> None:
        '''CommonUpdateSettings overrides the effective default CommonUpdateSettings for this specific image.

        :param allow_tags: AllowTags is a regex pattern for tags to allow. This acts as the default if not overridden.
        :param force_update: ForceUpdate specifies whether updates should be forced. This acts as the default if not overridden.
        :param ignore_tags: IgnoreTags is a list of glob-like patterns of tags to ignore. This acts as the default and can be overridden at more specific levels.
        :param platforms: Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.
        :param pull_secret: PullSecret is the pull secret to use for images. This acts as the default if not overridden.
        :param update_strategy: UpdateStrategy defines the update strategy to apply. Examples: "semver", "latest", "digest", "name". This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__4bcf459c919ac65e8bcc3232003e9ea48857c1f61e91247224e82c1b4748db01)
            check_type(argname="argument allow_tags", value=allow_tags, expected_type=type_hints["allow_tags"])
            check_type(argname="argument force_update", value=force_update, expected_type=type_hints["force_update"])
            check_type(argname="argument ignore_tags", value=ignore_tags, expected_type=type_hints["ignore_tags"])
            check_type(argname="argument platforms", value=platforms, expected_type=type_hints["platforms"])
            check_type(argname="argument pull_secret", value=pull_secret, expected_type=type_hints["pull_secret"])
            check_type(argname="argument update_strategy", value=update_strategy, expected_type=type_hints["update_strategy"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if allow_tags is not None:
            self._values["allow_tags"] = allow_tags
        if force_update is not None:
            self._values["force_update"] = force_update
        if ignore_tags is not None:
            self._values["ignore_tags"] = ignore_tags
        if platforms is not None:
            self._values["platforms"] = platforms
        if pull_secret is not None:
            self._values["pull_secret"] = pull_secret
        if update_strategy is not None:
            self._values["update_strategy"] = update_strategy

    @builtins.property
    def allow_tags(self) -> typing.Optional[builtins.str]:
        '''AllowTags is a regex pattern for tags to allow.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#allowTags
        '''
        result = self._values.get("allow_tags")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def force_update(self) -> typing.Optional[builtins.bool]:
        '''ForceUpdate specifies whether updates should be forced.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#forceUpdate
        '''
        result = self._values.get("force_update")
        return typing.cast(typing.Optional[builtins.bool], result)

    @builtins.property
    def ignore_tags(self) -> typing.Optional[typing.List[builtins.str]]:
        '''IgnoreTags is a list of glob-like patterns of tags to ignore.

        This acts as the default and can be overridden at more specific levels.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#ignoreTags
        '''
        result = self._values.get("ignore_tags")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def platforms(self) -> typing.Optional[typing.List[builtins.str]]:
        '''Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#platforms
        '''
        result = self._values.get("platforms")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def pull_secret(self) -> typing.Optional[builtins.str]:
        '''PullSecret is the pull secret to use for images.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#pullSecret
        '''
        result = self._values.get("pull_secret")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def update_strategy(self) -> typing.Optional[builtins.str]:
        '''UpdateStrategy defines the update strategy to apply.

        Examples: "semver", "latest", "digest", "name".
        This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings#updateStrategy
        '''
        result = self._values.get("update_strategy")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsImagesManifestTargets",
    jsii_struct_bases=[],
    name_mapping={"helm": "helm", "kustomize": "kustomize"},
)
class ImageUpdaterSpecApplicationRefsImagesManifestTargets:
    def __init__(
        self,
        *,
        helm: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm", typing.Dict[builtins.str, typing.Any]]] = None,
        kustomize: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''ManifestTarget defines how and where to update this image in Kubernetes manifests.

        Only one of Helm or Kustomize should be specified within this block.
        This whole block is optional if the image update isn't written to a manifest in a structured way.

        :param helm: Helm specifies update parameters if the target manifest is managed by Helm and updates are to be made to Helm values files.
        :param kustomize: Kustomize specifies update parameters if the target manifest is managed by Kustomize and updates involve changing image tags in Kustomize configurations.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargets
        '''
        if isinstance(helm, dict):
            helm = ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm(**helm)
        if isinstance(kustomize, dict):
            kustomize = ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize(**kustomize)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__fb68b04a4a56664ab674965c2be5781dea250c6e790dec08c6ddf919b7417482)
            check_type(argname="argument helm", value=helm, expected_type=type_hints["helm"])
            check_type(argname="argument kustomize", value=kustomize, expected_type=type_hints["kustomize"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if helm is not None:
            self._values["helm"] = helm
        if kustomize is not None:
            self._values["kustomize"] = kustomize

    @builtins.property
    def helm(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm"]:
        '''Helm specifies update parameters if the target manifest is managed by Helm and updates are to be made to Helm values files.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargets#helm
        '''
        result = self._values.get("helm")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm"], result)

    @builtins.property
    def kustomize(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize"]:
        '''Kustomize specifies update parameters if the target manifest is managed by Kustomize and updates involve changing image tags in Kustomize configurations.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargets#kustomize
        '''
        result = self._values.get("kustomize")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsImagesManifestTargets(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm",
    jsii_struct_bases=[],
    name_mapping={"name": "name", "tag": "tag", "spec": "spec"},
)
class ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm:
    def __init__(
        self,
        *,
        name: builtins.str,
        tag: builtins.str,
        spec: typing.Optional[builtins.str] = None,
    ) -> None:
        '''Helm specifies update parameters if the target manifest is managed by Helm and updates are to be made to Helm values files.

        :param name: Name is the dot-separated path to the Helm key for the image repository/name part. Example: "image.repository", "frontend.deployment.image.name". This field is required if the Helm target is used.
        :param tag: Tag is the dot-separated path to the Helm key for the image tag part. Example: "image.tag", "frontend.deployment.image.version". This field is required if the Helm target is used.
        :param spec: Spec is an optional dot-separated path to a Helm key where the full image string (e.g., "image/name:1.0") should be written. Use this if your Helm chart expects the entire image reference in a single field, rather than separate name/tag fields. If this is set, other Helm parameter-related options will be ignored.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__3269a472a059b4e4486c70fd7da4b98282804e5cd14f290a9562c81be53c649a)
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument tag", value=tag, expected_type=type_hints["tag"])
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "name": name,
            "tag": tag,
        }
        if spec is not None:
            self._values["spec"] = spec

    @builtins.property
    def name(self) -> builtins.str:
        '''Name is the dot-separated path to the Helm key for the image repository/name part.

        Example: "image.repository", "frontend.deployment.image.name".
        This field is required if the Helm target is used.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def tag(self) -> builtins.str:
        '''Tag is the dot-separated path to the Helm key for the image tag part.

        Example: "image.tag", "frontend.deployment.image.version".
        This field is required if the Helm target is used.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm#tag
        '''
        result = self._values.get("tag")
        assert result is not None, "Required property 'tag' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def spec(self) -> typing.Optional[builtins.str]:
        '''Spec is an optional dot-separated path to a Helm key where the full image string (e.g., "image/name:1.0") should be written. Use this if your Helm chart expects the entire image reference in a single field, rather than separate name/tag fields. If this is set, other Helm parameter-related options will be ignored.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm#spec
        '''
        result = self._values.get("spec")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize",
    jsii_struct_bases=[],
    name_mapping={"name": "name"},
)
class ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize:
    def __init__(self, *, name: builtins.str) -> None:
        '''Kustomize specifies update parameters if the target manifest is managed by Kustomize and updates involve changing image tags in Kustomize configurations.

        :param name: Name is the image name (which can include the registry and an initial tag) as it appears in the ``images`` list of a kustomization.yaml file that needs to be updated. The updater will typically change the tag or add a digest to this entry. Example: "docker.io/library/nginx". This field is required if the Kustomize target is used.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__dae9fe4c1f81c2b42e6c1828b8258c3aa645c39bb2f38076a301bf2554897c7e)
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "name": name,
        }

    @builtins.property
    def name(self) -> builtins.str:
        '''Name is the image name (which can include the registry and an initial tag) as it appears in the ``images`` list of a kustomization.yaml file that needs to be updated. The updater will typically change the tag or add a digest to this entry. Example: "docker.io/library/nginx". This field is required if the Kustomize target is used.

        :schema: ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsLabelSelectors",
    jsii_struct_bases=[],
    name_mapping={
        "match_expressions": "matchExpressions",
        "match_labels": "matchLabels",
    },
)
class ImageUpdaterSpecApplicationRefsLabelSelectors:
    def __init__(
        self,
        *,
        match_expressions: typing.Optional[typing.Sequence[typing.Union["ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions", typing.Dict[builtins.str, typing.Any]]]] = None,
        match_labels: typing.Optional[typing.Mapping[builtins.str, builtins.str]] = None,
    ) -> None:
        '''LabelSelectors indicates the label selectors to apply for application selection.

        :param match_expressions: matchExpressions is a list of label selector requirements. The requirements are ANDed.
        :param match_labels: matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectors
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__52339c6a4dccdb7b6c73c9513f1fac5680e540ef72814af556e07ef7b64fd8f7)
            check_type(argname="argument match_expressions", value=match_expressions, expected_type=type_hints["match_expressions"])
            check_type(argname="argument match_labels", value=match_labels, expected_type=type_hints["match_labels"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if match_expressions is not None:
            self._values["match_expressions"] = match_expressions
        if match_labels is not None:
            self._values["match_labels"] = match_labels

    @builtins.property
    def match_expressions(
        self,
    ) -> typing.Optional[typing.List["ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions"]]:
        '''matchExpressions is a list of label selector requirements.

        The requirements are ANDed.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectors#matchExpressions
        '''
        result = self._values.get("match_expressions")
        return typing.cast(typing.Optional[typing.List["ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions"]], result)

    @builtins.property
    def match_labels(
        self,
    ) -> typing.Optional[typing.Mapping[builtins.str, builtins.str]]:
        '''matchLabels is a map of {key,value} pairs.

        A single {key,value} in the matchLabels
        map is equivalent to an element of matchExpressions, whose key field is "key", the
        operator is "In", and the values array contains only "value". The requirements are ANDed.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectors#matchLabels
        '''
        result = self._values.get("match_labels")
        return typing.cast(typing.Optional[typing.Mapping[builtins.str, builtins.str]], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsLabelSelectors(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions",
    jsii_struct_bases=[],
    name_mapping={"key": "key", "operator": "operator", "values": "values"},
)
class ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions:
    def __init__(
        self,
        *,
        key: builtins.str,
        operator: builtins.str,
        values: typing.Optional[typing.Sequence[builtins.str]] = None,
    ) -> None:
        '''A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.

        :param key: key is the label key that the selector applies to.
        :param operator: operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.
        :param values: values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__8ca4f7aba96413e7d6393c3f17fced1a00418a21b9c1a46aedd9f525bef07d48)
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
            check_type(argname="argument operator", value=operator, expected_type=type_hints["operator"])
            check_type(argname="argument values", value=values, expected_type=type_hints["values"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "key": key,
            "operator": operator,
        }
        if values is not None:
            self._values["values"] = values

    @builtins.property
    def key(self) -> builtins.str:
        '''key is the label key that the selector applies to.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions#key
        '''
        result = self._values.get("key")
        assert result is not None, "Required property 'key' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def operator(self) -> builtins.str:
        '''operator represents a key's relationship to a set of values.

        Valid operators are In, NotIn, Exists and DoesNotExist.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions#operator
        '''
        result = self._values.get("operator")
        assert result is not None, "Required property 'operator' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def values(self) -> typing.Optional[typing.List[builtins.str]]:
        '''values is an array of string values.

        If the operator is In or NotIn,
        the values array must be non-empty. If the operator is Exists or DoesNotExist,
        the values array must be empty. This array is replaced during a strategic
        merge patch.

        :schema: ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions#values
        '''
        result = self._values.get("values")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsWriteBackConfig",
    jsii_struct_bases=[],
    name_mapping={"method": "method", "git_config": "gitConfig"},
)
class ImageUpdaterSpecApplicationRefsWriteBackConfig:
    def __init__(
        self,
        *,
        method: builtins.str,
        git_config: typing.Optional[typing.Union["ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''WriteBackConfig overrides the global WriteBackConfig settings for applications matched by this selector.

        :param method: Method defines the method for writing back updated image versions. This acts as the default if not overridden. If not specified, defaults to "argocd".
        :param git_config: GitConfig provides Git configuration settings if the write-back method involves Git. This can only be used when method is "git" or starts with "git:".

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfig
        '''
        if isinstance(git_config, dict):
            git_config = ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig(**git_config)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__e7fcdfad2b053bc37162361ff2e38d187e4f86e975f1eb1af17e7fa77325e984)
            check_type(argname="argument method", value=method, expected_type=type_hints["method"])
            check_type(argname="argument git_config", value=git_config, expected_type=type_hints["git_config"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "method": method,
        }
        if git_config is not None:
            self._values["git_config"] = git_config

    @builtins.property
    def method(self) -> builtins.str:
        '''Method defines the method for writing back updated image versions.

        This acts as the default if not overridden. If not specified, defaults to "argocd".

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfig#method
        '''
        result = self._values.get("method")
        assert result is not None, "Required property 'method' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def git_config(
        self,
    ) -> typing.Optional["ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig"]:
        '''GitConfig provides Git configuration settings if the write-back method involves Git.

        This can only be used when method is "git" or starts with "git:".

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfig#gitConfig
        '''
        result = self._values.get("git_config")
        return typing.cast(typing.Optional["ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsWriteBackConfig(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig",
    jsii_struct_bases=[],
    name_mapping={
        "branch": "branch",
        "repository": "repository",
        "write_back_target": "writeBackTarget",
    },
)
class ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig:
    def __init__(
        self,
        *,
        branch: typing.Optional[builtins.str] = None,
        repository: typing.Optional[builtins.str] = None,
        write_back_target: typing.Optional[builtins.str] = None,
    ) -> None:
        '''GitConfig provides Git configuration settings if the write-back method involves Git.

        This can only be used when method is "git" or starts with "git:".

        :param branch: Branch to commit updates to. Required if write-back method is Git and this is not specified at the spec level.
        :param repository: Repository URL to commit changes to. If not specified here or at the spec level, the controller MUST infer it from the Argo CD Application's ``spec.source.repoURL``. This field allows overriding that.
        :param write_back_target: WriteBackTarget defines the path and type of file to update in the Git repository. Examples: "helmvalues:./helm/values.yaml", "kustomization:./kustomize/overlays/production". For ApplicationSet usage, ``{{ .app.path.path }}`` should be resolved by ApplicationSet before this CR is generated, resulting in a concrete path here. Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__1d2216c137575e7ac7aed794a9fe49d73663e421f517c58bea1d5cf0fd127cfa)
            check_type(argname="argument branch", value=branch, expected_type=type_hints["branch"])
            check_type(argname="argument repository", value=repository, expected_type=type_hints["repository"])
            check_type(argname="argument write_back_target", value=write_back_target, expected_type=type_hints["write_back_target"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if branch is not None:
            self._values["branch"] = branch
        if repository is not None:
            self._values["repository"] = repository
        if write_back_target is not None:
            self._values["write_back_target"] = write_back_target

    @builtins.property
    def branch(self) -> typing.Optional[builtins.str]:
        '''Branch to commit updates to.

        Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig#branch
        '''
        result = self._values.get("branch")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def repository(self) -> typing.Optional[builtins.str]:
        '''Repository URL to commit changes to.

        If not specified here or at the spec level, the controller MUST infer it from the
        Argo CD Application's ``spec.source.repoURL``. This field allows overriding that.

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig#repository
        '''
        result = self._values.get("repository")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def write_back_target(self) -> typing.Optional[builtins.str]:
        '''WriteBackTarget defines the path and type of file to update in the Git repository.

        Examples: "helmvalues:./helm/values.yaml", "kustomization:./kustomize/overlays/production".
        For ApplicationSet usage, ``{{ .app.path.path }}`` should be resolved by ApplicationSet
        before this CR is generated, resulting in a concrete path here.
        Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig#writeBackTarget
        '''
        result = self._values.get("write_back_target")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecCommonUpdateSettings",
    jsii_struct_bases=[],
    name_mapping={
        "allow_tags": "allowTags",
        "force_update": "forceUpdate",
        "ignore_tags": "ignoreTags",
        "platforms": "platforms",
        "pull_secret": "pullSecret",
        "update_strategy": "updateStrategy",
    },
)
class ImageUpdaterSpecCommonUpdateSettings:
    def __init__(
        self,
        *,
        allow_tags: typing.Optional[builtins.str] = None,
        force_update: typing.Optional[builtins.bool] = None,
        ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
        platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
        pull_secret: typing.Optional[builtins.str] = None,
        update_strategy: typing.Optional[builtins.str] = None,
    ) -> None:
        '''CommonUpdateSettings provides global default settings for update strategies, tag filtering, pull secrets, etc., for all applications matched by this CR. These can be overridden at the ApplicationRef or ImageConfig level.

        :param allow_tags: AllowTags is a regex pattern for tags to allow. This acts as the default if not overridden.
        :param force_update: ForceUpdate specifies whether updates should be forced. This acts as the default if not overridden.
        :param ignore_tags: IgnoreTags is a list of glob-like patterns of tags to ignore. This acts as the default and can be overridden at more specific levels.
        :param platforms: Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.
        :param pull_secret: PullSecret is the pull secret to use for images. This acts as the default if not overridden.
        :param update_strategy: UpdateStrategy defines the update strategy to apply. Examples: "semver", "latest", "digest", "name". This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecCommonUpdateSettings
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__a00b4a8aba70aac8dd03410801ac75638eb79b76e5b35e6423dba02eb9758b28)
            check_type(argname="argument allow_tags", value=allow_tags, expected_type=type_hints["allow_tags"])
            check_type(argname="argument force_update", value=force_update, expected_type=type_hints["force_update"])
            check_type(argname="argument ignore_tags", value=ignore_tags, expected_type=type_hints["ignore_tags"])
            check_type(argname="argument platforms", value=platforms, expected_type=type_hints["platforms"])
            check_type(argname="argument pull_secret", value=pull_secret, expected_type=type_hints["pull_secret"])
            check_type(argname="argument update_strategy", value=update_strategy, expected_type=type_hints["update_strategy"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if allow_tags is not None:
            self._values["allow_tags"] = allow_tags
        if force_update is not None:
            self._values["force_update"] = force_update
        if ignore_tags is not None:
            self._values["ignore_tags"] = ignore_tags
        if platforms is not None:
            self._values["platforms"] = platforms
        if pull_secret is not None:
            self._values["pull_secret"] = pull_secret
        if update_strategy is not None:
            self._values["update_strategy"] = update_strategy

    @builtins.property
    def allow_tags(self) -> typing.Optional[builtins.str]:
        '''AllowTags is a regex pattern for tags to allow.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecCommonUpdateSettings#allowTags
        '''
        result = self._values.get("allow_tags")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def force_update(self) -> typing.Optional[builtins.bool]:
        '''ForceUpdate specifies whether updates should be forced.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecCommonUpdateSettings#forceUpdate
        '''
        result = self._values.get("force_update")
        return typing.cast(typing.Optional[builtins.bool], result)

    @builtins.property
    def ignore_tags(self) -> typing.Optional[typing.List[builtins.str]]:
        '''IgnoreTags is a list of glob-like patterns of tags to ignore.

        This acts as the default and can be overridden at more specific levels.

        :schema: ImageUpdaterSpecCommonUpdateSettings#ignoreTags
        '''
        result = self._values.get("ignore_tags")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def platforms(self) -> typing.Optional[typing.List[builtins.str]]:
        '''Platforms specifies a list of target platforms (e.g., "linux/amd64", "linux/arm64"). If specified, the image updater will consider these platforms when checking for new versions or digests.

        :schema: ImageUpdaterSpecCommonUpdateSettings#platforms
        '''
        result = self._values.get("platforms")
        return typing.cast(typing.Optional[typing.List[builtins.str]], result)

    @builtins.property
    def pull_secret(self) -> typing.Optional[builtins.str]:
        '''PullSecret is the pull secret to use for images.

        This acts as the default if not overridden.

        :schema: ImageUpdaterSpecCommonUpdateSettings#pullSecret
        '''
        result = self._values.get("pull_secret")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def update_strategy(self) -> typing.Optional[builtins.str]:
        '''UpdateStrategy defines the update strategy to apply.

        Examples: "semver", "latest", "digest", "name".
        This acts as the default if not overridden at a more specific level.

        :schema: ImageUpdaterSpecCommonUpdateSettings#updateStrategy
        '''
        result = self._values.get("update_strategy")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecCommonUpdateSettings(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecWriteBackConfig",
    jsii_struct_bases=[],
    name_mapping={"method": "method", "git_config": "gitConfig"},
)
class ImageUpdaterSpecWriteBackConfig:
    def __init__(
        self,
        *,
        method: builtins.str,
        git_config: typing.Optional[typing.Union["ImageUpdaterSpecWriteBackConfigGitConfig", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''WriteBackConfig provides global default settings for how and where to write back image updates.

        This can be overridden at the ApplicationRef level.

        :param method: Method defines the method for writing back updated image versions. This acts as the default if not overridden. If not specified, defaults to "argocd".
        :param git_config: GitConfig provides Git configuration settings if the write-back method involves Git. This can only be used when method is "git" or starts with "git:".

        :schema: ImageUpdaterSpecWriteBackConfig
        '''
        if isinstance(git_config, dict):
            git_config = ImageUpdaterSpecWriteBackConfigGitConfig(**git_config)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__8ba6f24d9af3ec0a235719253b27349e332443af97971e7ff214a57080510b6c)
            check_type(argname="argument method", value=method, expected_type=type_hints["method"])
            check_type(argname="argument git_config", value=git_config, expected_type=type_hints["git_config"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "method": method,
        }
        if git_config is not None:
            self._values["git_config"] = git_config

    @builtins.property
    def method(self) -> builtins.str:
        '''Method defines the method for writing back updated image versions.

        This acts as the default if not overridden. If not specified, defaults to "argocd".

        :schema: ImageUpdaterSpecWriteBackConfig#method
        '''
        result = self._values.get("method")
        assert result is not None, "Required property 'method' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def git_config(self) -> typing.Optional["ImageUpdaterSpecWriteBackConfigGitConfig"]:
        '''GitConfig provides Git configuration settings if the write-back method involves Git.

        This can only be used when method is "git" or starts with "git:".

        :schema: ImageUpdaterSpecWriteBackConfig#gitConfig
        '''
        result = self._values.get("git_config")
        return typing.cast(typing.Optional["ImageUpdaterSpecWriteBackConfigGitConfig"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecWriteBackConfig(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="argocd_imageupdater_ioargoprojargocd-image-updater.ImageUpdaterSpecWriteBackConfigGitConfig",
    jsii_struct_bases=[],
    name_mapping={
        "branch": "branch",
        "repository": "repository",
        "write_back_target": "writeBackTarget",
    },
)
class ImageUpdaterSpecWriteBackConfigGitConfig:
    def __init__(
        self,
        *,
        branch: typing.Optional[builtins.str] = None,
        repository: typing.Optional[builtins.str] = None,
        write_back_target: typing.Optional[builtins.str] = None,
    ) -> None:
        '''GitConfig provides Git configuration settings if the write-back method involves Git.

        This can only be used when method is "git" or starts with "git:".

        :param branch: Branch to commit updates to. Required if write-back method is Git and this is not specified at the spec level.
        :param repository: Repository URL to commit changes to. If not specified here or at the spec level, the controller MUST infer it from the Argo CD Application's ``spec.source.repoURL``. This field allows overriding that.
        :param write_back_target: WriteBackTarget defines the path and type of file to update in the Git repository. Examples: "helmvalues:./helm/values.yaml", "kustomization:./kustomize/overlays/production". For ApplicationSet usage, ``{{ .app.path.path }}`` should be resolved by ApplicationSet before this CR is generated, resulting in a concrete path here. Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecWriteBackConfigGitConfig
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__049e7378b590351a657b93640e26026c06cdae467c29e52e24c612965c85032d)
            check_type(argname="argument branch", value=branch, expected_type=type_hints["branch"])
            check_type(argname="argument repository", value=repository, expected_type=type_hints["repository"])
            check_type(argname="argument write_back_target", value=write_back_target, expected_type=type_hints["write_back_target"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if branch is not None:
            self._values["branch"] = branch
        if repository is not None:
            self._values["repository"] = repository
        if write_back_target is not None:
            self._values["write_back_target"] = write_back_target

    @builtins.property
    def branch(self) -> typing.Optional[builtins.str]:
        '''Branch to commit updates to.

        Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecWriteBackConfigGitConfig#branch
        '''
        result = self._values.get("branch")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def repository(self) -> typing.Optional[builtins.str]:
        '''Repository URL to commit changes to.

        If not specified here or at the spec level, the controller MUST infer it from the
        Argo CD Application's ``spec.source.repoURL``. This field allows overriding that.

        :schema: ImageUpdaterSpecWriteBackConfigGitConfig#repository
        '''
        result = self._values.get("repository")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def write_back_target(self) -> typing.Optional[builtins.str]:
        '''WriteBackTarget defines the path and type of file to update in the Git repository.

        Examples: "helmvalues:./helm/values.yaml", "kustomization:./kustomize/overlays/production".
        For ApplicationSet usage, ``{{ .app.path.path }}`` should be resolved by ApplicationSet
        before this CR is generated, resulting in a concrete path here.
        Required if write-back method is Git and this is not specified at the spec level.

        :schema: ImageUpdaterSpecWriteBackConfigGitConfig#writeBackTarget
        '''
        result = self._values.get("write_back_target")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ImageUpdaterSpecWriteBackConfigGitConfig(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


__all__ = [
    "ImageUpdater",
    "ImageUpdaterProps",
    "ImageUpdaterSpec",
    "ImageUpdaterSpecApplicationRefs",
    "ImageUpdaterSpecApplicationRefsCommonUpdateSettings",
    "ImageUpdaterSpecApplicationRefsImages",
    "ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings",
    "ImageUpdaterSpecApplicationRefsImagesManifestTargets",
    "ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm",
    "ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize",
    "ImageUpdaterSpecApplicationRefsLabelSelectors",
    "ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions",
    "ImageUpdaterSpecApplicationRefsWriteBackConfig",
    "ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig",
    "ImageUpdaterSpecCommonUpdateSettings",
    "ImageUpdaterSpecWriteBackConfig",
    "ImageUpdaterSpecWriteBackConfigGitConfig",
]

publication.publish()

def _typecheckingstub__7250de74e47efa73ef60889e1960413627472c110b51413fd7dd65d55ace9927(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    spec: typing.Optional[typing.Union[ImageUpdaterSpec, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__b0bf71012581b5c43b62a764983406cd784f0c44d011bee231236d4fcfa0ebc6(
    *,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    spec: typing.Optional[typing.Union[ImageUpdaterSpec, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__44549ff6ff6e7f233db679ada617b2020a46bcef33bde15b15d9bec495b5896c(
    *,
    application_refs: typing.Sequence[typing.Union[ImageUpdaterSpecApplicationRefs, typing.Dict[builtins.str, typing.Any]]],
    namespace: builtins.str,
    common_update_settings: typing.Optional[typing.Union[ImageUpdaterSpecCommonUpdateSettings, typing.Dict[builtins.str, typing.Any]]] = None,
    write_back_config: typing.Optional[typing.Union[ImageUpdaterSpecWriteBackConfig, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__518ed5e59bc1d2f1f3003a67aed3ac9a3c83b69ff40ff360a7065c4e8d826cc5(
    *,
    images: typing.Sequence[typing.Union[ImageUpdaterSpecApplicationRefsImages, typing.Dict[builtins.str, typing.Any]]],
    name_pattern: builtins.str,
    common_update_settings: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsCommonUpdateSettings, typing.Dict[builtins.str, typing.Any]]] = None,
    label_selectors: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsLabelSelectors, typing.Dict[builtins.str, typing.Any]]] = None,
    write_back_config: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsWriteBackConfig, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__e8cd14fb6eb4757809389fdfb3260a017000e5a98615621974a65a8bead22b54(
    *,
    allow_tags: typing.Optional[builtins.str] = None,
    force_update: typing.Optional[builtins.bool] = None,
    ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
    platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
    pull_secret: typing.Optional[builtins.str] = None,
    update_strategy: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__0a0d3cd8e4e9bdb688bfce6e9ee6b07173724e480cfbbea538e6d5e52a2160c0(
    *,
    alias: builtins.str,
    image_name: builtins.str,
    common_update_settings: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings, typing.Dict[builtins.str, typing.Any]]] = None,
    manifest_targets: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsImagesManifestTargets, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__4bcf459c919ac65e8bcc3232003e9ea48857c1f61e91247224e82c1b4748db01(
    *,
    allow_tags: typing.Optional[builtins.str] = None,
    force_update: typing.Optional[builtins.bool] = None,
    ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
    platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
    pull_secret: typing.Optional[builtins.str] = None,
    update_strategy: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__fb68b04a4a56664ab674965c2be5781dea250c6e790dec08c6ddf919b7417482(
    *,
    helm: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsImagesManifestTargetsHelm, typing.Dict[builtins.str, typing.Any]]] = None,
    kustomize: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__3269a472a059b4e4486c70fd7da4b98282804e5cd14f290a9562c81be53c649a(
    *,
    name: builtins.str,
    tag: builtins.str,
    spec: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__dae9fe4c1f81c2b42e6c1828b8258c3aa645c39bb2f38076a301bf2554897c7e(
    *,
    name: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__52339c6a4dccdb7b6c73c9513f1fac5680e540ef72814af556e07ef7b64fd8f7(
    *,
    match_expressions: typing.Optional[typing.Sequence[typing.Union[ImageUpdaterSpecApplicationRefsLabelSelectorsMatchExpressions, typing.Dict[builtins.str, typing.Any]]]] = None,
    match_labels: typing.Optional[typing.Mapping[builtins.str, builtins.str]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__8ca4f7aba96413e7d6393c3f17fced1a00418a21b9c1a46aedd9f525bef07d48(
    *,
    key: builtins.str,
    operator: builtins.str,
    values: typing.Optional[typing.Sequence[builtins.str]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__e7fcdfad2b053bc37162361ff2e38d187e4f86e975f1eb1af17e7fa77325e984(
    *,
    method: builtins.str,
    git_config: typing.Optional[typing.Union[ImageUpdaterSpecApplicationRefsWriteBackConfigGitConfig, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__1d2216c137575e7ac7aed794a9fe49d73663e421f517c58bea1d5cf0fd127cfa(
    *,
    branch: typing.Optional[builtins.str] = None,
    repository: typing.Optional[builtins.str] = None,
    write_back_target: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__a00b4a8aba70aac8dd03410801ac75638eb79b76e5b35e6423dba02eb9758b28(
    *,
    allow_tags: typing.Optional[builtins.str] = None,
    force_update: typing.Optional[builtins.bool] = None,
    ignore_tags: typing.Optional[typing.Sequence[builtins.str]] = None,
    platforms: typing.Optional[typing.Sequence[builtins.str]] = None,
    pull_secret: typing.Optional[builtins.str] = None,
    update_strategy: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__8ba6f24d9af3ec0a235719253b27349e332443af97971e7ff214a57080510b6c(
    *,
    method: builtins.str,
    git_config: typing.Optional[typing.Union[ImageUpdaterSpecWriteBackConfigGitConfig, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__049e7378b590351a657b93640e26026c06cdae467c29e52e24c612965c85032d(
    *,
    branch: typing.Optional[builtins.str] = None,
    repository: typing.Optional[builtins.str] = None,
    write_back_target: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass
