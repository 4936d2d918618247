# The Python cells of hls4ml's hands-on tutorial, parts 1 (getting started) and 2 (advanced configuration), as an
# hls4ml user writes them. Only the import line differs from hls4ml's: `import hls4ml` became the line below.
# The model is narrower than the lab's (16-16-5) so that its Yosys synthesis takes seconds in the test suite.
import rtl4ml as hls4ml

import numpy as np
from sklearn.metrics import accuracy_score
from tensorflow.keras.layers import Activation, Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam

X_train_val = np.load('X_train_val.npy')
X_test = np.load('X_test.npy')
y_train_val = np.load('y_train_val.npy')
y_test = np.load('y_test.npy')
classes = np.load('classes.npy', allow_pickle=True)

# Part 1: construct, train and convert the model
model = Sequential()
model.add(Dense(16, input_shape=(16,), name='fc1', kernel_initializer='lecun_uniform'))
model.add(Activation(activation='relu', name='relu1'))
model.add(Dense(5, name='output', kernel_initializer='lecun_uniform'))
model.add(Activation(activation='softmax', name='softmax'))
adam = Adam(learning_rate=0.001)
model.compile(optimizer=adam, loss=['categorical_crossentropy'], metrics=['accuracy'])
model.fit(X_train_val, y_train_val, batch_size=1024, epochs=3, validation_split=0.25, shuffle=True, verbose=0)

config = hls4ml.utils.config_from_keras_model(model, granularity='model', backend='Vitis')
print("-----------------------------------")
print("Configuration")
print(config)
print("-----------------------------------")
hls_model = hls4ml.converters.convert_from_keras_model(
    model, hls_config=config, backend='Vitis', output_dir='model_1/hls4ml_prj', part='xcu250-figd2104-2L-e'
)
hls4ml.utils.plot_model(hls_model, show_shapes=True, show_precision=True, to_file=None)
hls_model.compile()
X_test = np.ascontiguousarray(X_test)
y_keras = model.predict(X_test)
y_hls = hls_model.predict(X_test)
print("Keras  Accuracy: {}".format(accuracy_score(np.argmax(y_test, axis=1), np.argmax(y_keras, axis=1))))
print("hls4ml Accuracy: {}".format(accuracy_score(np.argmax(y_test, axis=1), np.argmax(y_hls, axis=1))))
hls_model.build(csim=False)
hls4ml.report.read_vivado_report('model_1/hls4ml_prj/')

# Part 2: advanced configuration, profiling and tracing
config = hls4ml.utils.config_from_keras_model(model, granularity='name', backend='Vitis')
config['LayerName']['softmax']['exp_table_t'] = 'ap_fixed<18,8>'
config['LayerName']['softmax']['inv_table_t'] = 'ap_fixed<18,4>'
for layer in config['LayerName'].keys():
    config['LayerName'][layer]['Trace'] = True
config['LayerName']['fc1']['Precision']['weight'] = 'ap_fixed<8,2>'
hls_model_2 = hls4ml.converters.convert_from_keras_model(
    model, hls_config=config, backend='Vitis', output_dir='model_2/hls4ml_prj', part='xcu250-figd2104-2L-e'
)
hls4ml.model.profiling.numerical(model=model, hls_model=hls_model_2, X=X_test[:1000])
hls_model_2.compile()
hls4ml_pred, hls4ml_trace = hls_model_2.trace(X_test[:1000])
keras_trace = hls4ml.model.profiling.get_ymodel_keras(model, X_test[:1000])
y_hls_2 = hls_model_2.predict(X_test)
print("Keras layer 'fc1', first sample:")
print(keras_trace['fc1'][0])
print("hls4ml layer 'fc1', first sample:")
print(hls4ml_trace['fc1'][0])
