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


class KongPlugin(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPlugin",
):
    '''KongPlugin is the Schema for the kongplugins API.

    :schema: KongPlugin
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongPluginProtocols"]] = None,
        run_on: typing.Optional["KongPluginRunOn"] = None,
    ) -> None:
        '''Defines a "KongPlugin" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__7878676db3426008d116d369ff883a25f377974f236294feca9b0bf440a15e04)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = KongPluginProps(
            plugin=plugin,
            config=config,
            config_from=config_from,
            config_patches=config_patches,
            consumer_ref=consumer_ref,
            disabled=disabled,
            instance_name=instance_name,
            metadata=metadata,
            ordering=ordering,
            protocols=protocols,
            run_on=run_on,
        )

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongPluginProtocols"]] = None,
        run_on: typing.Optional["KongPluginRunOn"] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "KongPlugin".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.
        '''
        props = KongPluginProps(
            plugin=plugin,
            config=config,
            config_from=config_from,
            config_patches=config_patches,
            consumer_ref=consumer_ref,
            disabled=disabled,
            instance_name=instance_name,
            metadata=metadata,
            ordering=ordering,
            protocols=protocols,
            run_on=run_on,
        )

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "KongPlugin".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginConfigFrom",
    jsii_struct_bases=[],
    name_mapping={"secret_key_ref": "secretKeyRef"},
)
class KongPluginConfigFrom:
    def __init__(
        self,
        *,
        secret_key_ref: typing.Union["KongPluginConfigFromSecretKeyRef", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''ConfigFrom references a secret containing the plugin configuration.

        This should be used when the plugin configuration contains sensitive information,
        such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin.
        Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.

        :param secret_key_ref: Specifies a name and a key of a secret to refer to. The namespace is implicitly set to the one of referring object.

        :schema: KongPluginConfigFrom
        '''
        if isinstance(secret_key_ref, dict):
            secret_key_ref = KongPluginConfigFromSecretKeyRef(**secret_key_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__359079ca88822eecefd11b98a129415a8e2dec194884229caa426e880a9105ff)
            check_type(argname="argument secret_key_ref", value=secret_key_ref, expected_type=type_hints["secret_key_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "secret_key_ref": secret_key_ref,
        }

    @builtins.property
    def secret_key_ref(self) -> "KongPluginConfigFromSecretKeyRef":
        '''Specifies a name and a key of a secret to refer to.

        The namespace is implicitly set to the one of referring object.

        :schema: KongPluginConfigFrom#secretKeyRef
        '''
        result = self._values.get("secret_key_ref")
        assert result is not None, "Required property 'secret_key_ref' is missing"
        return typing.cast("KongPluginConfigFromSecretKeyRef", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginConfigFrom(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginConfigFromSecretKeyRef",
    jsii_struct_bases=[],
    name_mapping={"key": "key", "name": "name"},
)
class KongPluginConfigFromSecretKeyRef:
    def __init__(self, *, key: builtins.str, name: builtins.str) -> None:
        '''Specifies a name and a key of a secret to refer to.

        The namespace is implicitly set to the one of referring object.

        :param key: The key containing the value.
        :param name: The secret containing the key.

        :schema: KongPluginConfigFromSecretKeyRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__a9be29ec4c8a81344eebd04249e0583ac2c50d472b4e24b016045bf1e1c6c0a4)
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "key": key,
            "name": name,
        }

    @builtins.property
    def key(self) -> builtins.str:
        '''The key containing the value.

        :schema: KongPluginConfigFromSecretKeyRef#key
        '''
        result = self._values.get("key")
        assert result is not None, "Required property 'key' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''The secret containing the key.

        :schema: KongPluginConfigFromSecretKeyRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginConfigFromSecretKeyRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginConfigPatches",
    jsii_struct_bases=[],
    name_mapping={"path": "path", "value_from": "valueFrom"},
)
class KongPluginConfigPatches:
    def __init__(
        self,
        *,
        path: builtins.str,
        value_from: typing.Union["KongPluginConfigPatchesValueFrom", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''ConfigPatch is a JSON patch (RFC6902) to add values from Secret to the generated configuration.

        It is an equivalent of the following patch:
        ``{"op": "add", "path": {.Path}, "value": {.ComputedValueFrom}}``.

        :param path: Path is the JSON-Pointer value (RFC6901) that references a location within the target configuration.
        :param value_from: ValueFrom is the reference to a key of a secret where the patched value comes from.

        :schema: KongPluginConfigPatches
        '''
        if isinstance(value_from, dict):
            value_from = KongPluginConfigPatchesValueFrom(**value_from)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__2e799ba49dfe0c40457703fa2283ac8710304b0d782026f06b4c5beab6e6c34d)
            check_type(argname="argument path", value=path, expected_type=type_hints["path"])
            check_type(argname="argument value_from", value=value_from, expected_type=type_hints["value_from"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "path": path,
            "value_from": value_from,
        }

    @builtins.property
    def path(self) -> builtins.str:
        '''Path is the JSON-Pointer value (RFC6901) that references a location within the target configuration.

        :schema: KongPluginConfigPatches#path
        '''
        result = self._values.get("path")
        assert result is not None, "Required property 'path' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def value_from(self) -> "KongPluginConfigPatchesValueFrom":
        '''ValueFrom is the reference to a key of a secret where the patched value comes from.

        :schema: KongPluginConfigPatches#valueFrom
        '''
        result = self._values.get("value_from")
        assert result is not None, "Required property 'value_from' is missing"
        return typing.cast("KongPluginConfigPatchesValueFrom", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginConfigPatches(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginConfigPatchesValueFrom",
    jsii_struct_bases=[],
    name_mapping={"secret_key_ref": "secretKeyRef"},
)
class KongPluginConfigPatchesValueFrom:
    def __init__(
        self,
        *,
        secret_key_ref: typing.Union["KongPluginConfigPatchesValueFromSecretKeyRef", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''ValueFrom is the reference to a key of a secret where the patched value comes from.

        :param secret_key_ref: Specifies a name and a key of a secret to refer to. The namespace is implicitly set to the one of referring object.

        :schema: KongPluginConfigPatchesValueFrom
        '''
        if isinstance(secret_key_ref, dict):
            secret_key_ref = KongPluginConfigPatchesValueFromSecretKeyRef(**secret_key_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__f7dd8356a9c540d4e86409b48afb4d93a5e5a13f5542f6dfed1fc1ac50380c14)
            check_type(argname="argument secret_key_ref", value=secret_key_ref, expected_type=type_hints["secret_key_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "secret_key_ref": secret_key_ref,
        }

    @builtins.property
    def secret_key_ref(self) -> "KongPluginConfigPatchesValueFromSecretKeyRef":
        '''Specifies a name and a key of a secret to refer to.

        The namespace is implicitly set to the one of referring object.

        :schema: KongPluginConfigPatchesValueFrom#secretKeyRef
        '''
        result = self._values.get("secret_key_ref")
        assert result is not None, "Required property 'secret_key_ref' is missing"
        return typing.cast("KongPluginConfigPatchesValueFromSecretKeyRef", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginConfigPatchesValueFrom(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginConfigPatchesValueFromSecretKeyRef",
    jsii_struct_bases=[],
    name_mapping={"key": "key", "name": "name"},
)
class KongPluginConfigPatchesValueFromSecretKeyRef:
    def __init__(self, *, key: builtins.str, name: builtins.str) -> None:
        '''Specifies a name and a key of a secret to refer to.

        The namespace is implicitly set to the one of referring object.

        :param key: The key containing the value.
        :param name: The secret containing the key.

        :schema: KongPluginConfigPatchesValueFromSecretKeyRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__07b9a96051b6b5edef9d561e82aaf33649d5ed9794e6b398813339c5332431c6)
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "key": key,
            "name": name,
        }

    @builtins.property
    def key(self) -> builtins.str:
        '''The key containing the value.

        :schema: KongPluginConfigPatchesValueFromSecretKeyRef#key
        '''
        result = self._values.get("key")
        assert result is not None, "Required property 'key' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''The secret containing the key.

        :schema: KongPluginConfigPatchesValueFromSecretKeyRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginConfigPatchesValueFromSecretKeyRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginOrdering",
    jsii_struct_bases=[],
    name_mapping={"after": "after", "before": "before"},
)
class KongPluginOrdering:
    def __init__(
        self,
        *,
        after: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
        before: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
    ) -> None:
        '''Ordering overrides the normal plugin execution order.

        It's only available on Kong Enterprise.
        ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and
        ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin.
        For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]``
        will create a rate limiting plugin that limits requests *before* they are authenticated.

        :param after: PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.
        :param before: PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongPluginOrdering
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__f299b1a75ab2df9897bf895ca06286d9cda57f280a0573c99f0e85cefb455cc7)
            check_type(argname="argument after", value=after, expected_type=type_hints["after"])
            check_type(argname="argument before", value=before, expected_type=type_hints["before"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if after is not None:
            self._values["after"] = after
        if before is not None:
            self._values["before"] = before

    @builtins.property
    def after(
        self,
    ) -> typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]]:
        '''PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongPluginOrdering#after
        '''
        result = self._values.get("after")
        return typing.cast(typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]], result)

    @builtins.property
    def before(
        self,
    ) -> typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]]:
        '''PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongPluginOrdering#before
        '''
        result = self._values.get("before")
        return typing.cast(typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginOrdering(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginProps",
    jsii_struct_bases=[],
    name_mapping={
        "plugin": "plugin",
        "config": "config",
        "config_from": "configFrom",
        "config_patches": "configPatches",
        "consumer_ref": "consumerRef",
        "disabled": "disabled",
        "instance_name": "instanceName",
        "metadata": "metadata",
        "ordering": "ordering",
        "protocols": "protocols",
        "run_on": "runOn",
    },
)
class KongPluginProps:
    def __init__(
        self,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongPluginProtocols"]] = None,
        run_on: typing.Optional["KongPluginRunOn"] = None,
    ) -> None:
        '''KongPlugin is the Schema for the kongplugins API.

        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

        :schema: KongPlugin
        '''
        if isinstance(config_from, dict):
            config_from = KongPluginConfigFrom(**config_from)
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if isinstance(ordering, dict):
            ordering = KongPluginOrdering(**ordering)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__49838262b877a280045a605a2a3e104dcf87361fb4bd17a763712c35a81f0d0d)
            check_type(argname="argument plugin", value=plugin, expected_type=type_hints["plugin"])
            check_type(argname="argument config", value=config, expected_type=type_hints["config"])
            check_type(argname="argument config_from", value=config_from, expected_type=type_hints["config_from"])
            check_type(argname="argument config_patches", value=config_patches, expected_type=type_hints["config_patches"])
            check_type(argname="argument consumer_ref", value=consumer_ref, expected_type=type_hints["consumer_ref"])
            check_type(argname="argument disabled", value=disabled, expected_type=type_hints["disabled"])
            check_type(argname="argument instance_name", value=instance_name, expected_type=type_hints["instance_name"])
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
            check_type(argname="argument ordering", value=ordering, expected_type=type_hints["ordering"])
            check_type(argname="argument protocols", value=protocols, expected_type=type_hints["protocols"])
            check_type(argname="argument run_on", value=run_on, expected_type=type_hints["run_on"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "plugin": plugin,
        }
        if config is not None:
            self._values["config"] = config
        if config_from is not None:
            self._values["config_from"] = config_from
        if config_patches is not None:
            self._values["config_patches"] = config_patches
        if consumer_ref is not None:
            self._values["consumer_ref"] = consumer_ref
        if disabled is not None:
            self._values["disabled"] = disabled
        if instance_name is not None:
            self._values["instance_name"] = instance_name
        if metadata is not None:
            self._values["metadata"] = metadata
        if ordering is not None:
            self._values["ordering"] = ordering
        if protocols is not None:
            self._values["protocols"] = protocols
        if run_on is not None:
            self._values["run_on"] = run_on

    @builtins.property
    def plugin(self) -> builtins.str:
        '''PluginName is the name of the plugin to which to apply the config.

        :schema: KongPlugin#plugin
        '''
        result = self._values.get("plugin")
        assert result is not None, "Required property 'plugin' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def config(self) -> typing.Any:
        '''Config contains the plugin configuration.

        It's a list of keys and values
        required to configure the plugin.
        Please read the documentation of the plugin being configured to set values
        in here. For any plugin in Kong, anything that goes in the ``config`` JSON
        key in the Admin API request, goes into this property.
        Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.

        :schema: KongPlugin#config
        '''
        result = self._values.get("config")
        return typing.cast(typing.Any, result)

    @builtins.property
    def config_from(self) -> typing.Optional["KongPluginConfigFrom"]:
        '''ConfigFrom references a secret containing the plugin configuration.

        This should be used when the plugin configuration contains sensitive information,
        such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin.
        Only one of ``config`` or ``configFrom`` may be used in a KongPlugin, not both at once.

        :schema: KongPlugin#configFrom
        '''
        result = self._values.get("config_from")
        return typing.cast(typing.Optional["KongPluginConfigFrom"], result)

    @builtins.property
    def config_patches(self) -> typing.Optional[typing.List["KongPluginConfigPatches"]]:
        '''ConfigPatches represents JSON patches to the configuration of the plugin.

        Each item means a JSON patch to add something in the configuration,
        where path is specified in ``path`` and value is in ``valueFrom`` referencing
        a key in a secret.
        When Config is specified, patches will be applied to the configuration in Config.
        Otherwise, patches will be applied to an empty object.

        :schema: KongPlugin#configPatches
        '''
        result = self._values.get("config_patches")
        return typing.cast(typing.Optional[typing.List["KongPluginConfigPatches"]], result)

    @builtins.property
    def consumer_ref(self) -> typing.Optional[builtins.str]:
        '''ConsumerRef is a reference to a particular consumer.

        :schema: KongPlugin#consumerRef
        '''
        result = self._values.get("consumer_ref")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def disabled(self) -> typing.Optional[builtins.bool]:
        '''Disabled set if the plugin is disabled or not.

        :schema: KongPlugin#disabled
        '''
        result = self._values.get("disabled")
        return typing.cast(typing.Optional[builtins.bool], result)

    @builtins.property
    def instance_name(self) -> typing.Optional[builtins.str]:
        '''InstanceName is an optional custom name to identify an instance of the plugin.

        This is useful when running the
        same plugin in multiple contexts, for example, on multiple services.

        :schema: KongPlugin#instance_name
        '''
        result = self._values.get("instance_name")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: KongPlugin#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    @builtins.property
    def ordering(self) -> typing.Optional["KongPluginOrdering"]:
        '''Ordering overrides the normal plugin execution order.

        It's only available on Kong Enterprise.
        ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and
        ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin.
        For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]``
        will create a rate limiting plugin that limits requests *before* they are authenticated.

        :schema: KongPlugin#ordering
        '''
        result = self._values.get("ordering")
        return typing.cast(typing.Optional["KongPluginOrdering"], result)

    @builtins.property
    def protocols(self) -> typing.Optional[typing.List["KongPluginProtocols"]]:
        '''Protocols configures plugin to run on requests received on specific protocols.

        :schema: KongPlugin#protocols
        '''
        result = self._values.get("protocols")
        return typing.cast(typing.Optional[typing.List["KongPluginProtocols"]], result)

    @builtins.property
    def run_on(self) -> typing.Optional["KongPluginRunOn"]:
        '''RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

        :schema: KongPlugin#run_on
        '''
        result = self._values.get("run_on")
        return typing.cast(typing.Optional["KongPluginRunOn"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongPluginProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginProtocols")
class KongPluginProtocols(enum.Enum):
    '''KongProtocol is a valid Kong protocol.

    This alias is necessary to deal with https://github.com/kubernetes-sigs/controller-tools/issues/342

    :schema: KongPluginProtocols
    '''

    HTTP = "HTTP"
    '''http.'''
    HTTPS = "HTTPS"
    '''https.'''
    GRPC = "GRPC"
    '''grpc.'''
    GRPCS = "GRPCS"
    '''grpcs.'''
    TCP = "TCP"
    '''tcp.'''
    TLS = "TLS"
    '''tls.'''
    UDP = "UDP"
    '''udp.'''


@jsii.enum(jsii_type="kong_kongplugin_comkonghqconfiguration.KongPluginRunOn")
class KongPluginRunOn(enum.Enum):
    '''RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

    :schema: KongPluginRunOn
    '''

    FIRST = "FIRST"
    '''first.'''
    SECOND = "SECOND"
    '''second.'''
    ALL = "ALL"
    '''all.'''


__all__ = [
    "KongPlugin",
    "KongPluginConfigFrom",
    "KongPluginConfigFromSecretKeyRef",
    "KongPluginConfigPatches",
    "KongPluginConfigPatchesValueFrom",
    "KongPluginConfigPatchesValueFromSecretKeyRef",
    "KongPluginOrdering",
    "KongPluginProps",
    "KongPluginProtocols",
    "KongPluginRunOn",
]

publication.publish()

def _typecheckingstub__7878676db3426008d116d369ff883a25f377974f236294feca9b0bf440a15e04(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    plugin: builtins.str,
    config: typing.Any = None,
    config_from: typing.Optional[typing.Union[KongPluginConfigFrom, typing.Dict[builtins.str, typing.Any]]] = None,
    config_patches: typing.Optional[typing.Sequence[typing.Union[KongPluginConfigPatches, typing.Dict[builtins.str, typing.Any]]]] = None,
    consumer_ref: typing.Optional[builtins.str] = None,
    disabled: typing.Optional[builtins.bool] = None,
    instance_name: typing.Optional[builtins.str] = None,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    ordering: typing.Optional[typing.Union[KongPluginOrdering, typing.Dict[builtins.str, typing.Any]]] = None,
    protocols: typing.Optional[typing.Sequence[KongPluginProtocols]] = None,
    run_on: typing.Optional[KongPluginRunOn] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__359079ca88822eecefd11b98a129415a8e2dec194884229caa426e880a9105ff(
    *,
    secret_key_ref: typing.Union[KongPluginConfigFromSecretKeyRef, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__a9be29ec4c8a81344eebd04249e0583ac2c50d472b4e24b016045bf1e1c6c0a4(
    *,
    key: builtins.str,
    name: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__2e799ba49dfe0c40457703fa2283ac8710304b0d782026f06b4c5beab6e6c34d(
    *,
    path: builtins.str,
    value_from: typing.Union[KongPluginConfigPatchesValueFrom, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__f7dd8356a9c540d4e86409b48afb4d93a5e5a13f5542f6dfed1fc1ac50380c14(
    *,
    secret_key_ref: typing.Union[KongPluginConfigPatchesValueFromSecretKeyRef, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__07b9a96051b6b5edef9d561e82aaf33649d5ed9794e6b398813339c5332431c6(
    *,
    key: builtins.str,
    name: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__f299b1a75ab2df9897bf895ca06286d9cda57f280a0573c99f0e85cefb455cc7(
    *,
    after: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
    before: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__49838262b877a280045a605a2a3e104dcf87361fb4bd17a763712c35a81f0d0d(
    *,
    plugin: builtins.str,
    config: typing.Any = None,
    config_from: typing.Optional[typing.Union[KongPluginConfigFrom, typing.Dict[builtins.str, typing.Any]]] = None,
    config_patches: typing.Optional[typing.Sequence[typing.Union[KongPluginConfigPatches, typing.Dict[builtins.str, typing.Any]]]] = None,
    consumer_ref: typing.Optional[builtins.str] = None,
    disabled: typing.Optional[builtins.bool] = None,
    instance_name: typing.Optional[builtins.str] = None,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    ordering: typing.Optional[typing.Union[KongPluginOrdering, typing.Dict[builtins.str, typing.Any]]] = None,
    protocols: typing.Optional[typing.Sequence[KongPluginProtocols]] = None,
    run_on: typing.Optional[KongPluginRunOn] = None,
) -> None:
    """Type checking stubs"""
    pass
